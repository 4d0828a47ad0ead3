using System.CommandLine;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai validate RECIPE`: checks a recipe, its files and its plugins without running it.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo>("recipe") { Description = "The recipe file (YAML)." };
        var trust = TrustOption();
        var command = new Command("validate", "Check a recipe without running it: keys, types, paths, plugins, pins and options.") { recipe, trust };
        command.SetAction(parse => Run(parse.GetValue(recipe)!, parse.GetValue(trust)));
        return command;
    }

    public static Option<bool> TrustOption() =>
        new("--trust-plugins") { Description = "Load third-party plugin assemblies that the recipe does not pin by sha256." };

    static int Run(FileInfo recipeFile, bool trustPlugins)
    {
        using var host = PluginHost.WithBuiltIns();
        var recipe = RecipeResolver.Resolve(recipeFile.ToString(), host, trustPlugins);
        var table = new Table().AddColumn("stage").AddColumn("use").AddColumn("plugins").AddColumn("options");
        foreach (var stage in recipe.Stages)
            table.AddRow(Markup.Escape(stage.Id), stage.Kind.Name,
                Markup.Escape(string.Join(", ", stage.Plugins.Select(p => $"{p.Key.Key()}: {p.Value.Name}"))),
                Markup.Escape(stage.Options.ToString()));
        AnsiConsole.MarkupLine($"[green]valid[/]: recipe [bold]{Markup.Escape(recipe.Recipe.Name)}[/], seed {recipe.Recipe.Seed}, "
                               + $"{recipe.Constitution.Principles.Count} principles, {recipe.Prompts.Count} prompt sets, "
                               + $"{recipe.Stages.Count} stages");
        AnsiConsole.Write(table);
        return 0;
    }
}
