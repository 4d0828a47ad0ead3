using System.Collections;
using System.CommandLine;
using System.Globalization;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>
/// `cai validate RECIPE`: checks a recipe, its files and its plugins without running it, then prints what the run would
/// use: models, prompt sets, and every stage's effective options (its own and its plugins'), as <c>key: value</c> lines
/// with the recipe's names.
/// </summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo>("recipe") { Description = "The recipe file (YAML)." };
        var trust = TrustOption();
        var command = new Command("validate", "Check a recipe without running it: keys, types, paths, plugins, pins and options.")
        {
            recipe, trust,
        };
        command.SetAction(parse => Run(parse.GetValue(recipe)!, parse.GetValue(trust), parse.InvocationConfiguration.Output));
        return command;
    }

    public static Option<bool> TrustOption() =>
        new("--trust-plugins") { Description = "Load third-party plugin assemblies that the recipe does not pin by sha256." };

    static int Run(FileInfo recipeFile, bool trustPlugins, TextWriter output)
    {
        using var host = PluginHost.WithBuiltIns();
        var recipe = RecipeResolver.Resolve(recipeFile.ToString(), host, CaiCommandLine.Stages(), trustPlugins);
        AnsiConsole.MarkupLine($"[green]valid[/]: recipe [bold]{Markup.Escape(recipe.Recipe.Name)}[/], seed {recipe.Recipe.Seed}, "
                               + $"{recipe.Constitution.Principles.Count} principles, {recipe.Prompts.Count} prompt sets, "
                               + $"{recipe.Stages.Count} stages");
        output.WriteLine($"device: {recipe.Recipe.Device}");
        output.WriteLine($"dtype: {Format(recipe.Recipe.Dtype)}");
        output.WriteLine($"constitution: {recipe.Recipe.Constitution} ({recipe.Constitution.Name})");
        output.WriteLine("models:");
        foreach (var (role, paths) in recipe.Models) output.WriteLine($"  {role}: {string.Join(", ", paths)}");
        foreach (var (id, served) in recipe.Remote)
        {
            output.WriteLine($"served model {id}");
            foreach (var (key, value) in Options(served)) output.WriteLine($"  {key}: {value}");
        }
        output.WriteLine("prompts:");
        foreach (var set in recipe.Prompts.Values)
            output.WriteLine($"  {set.Name}: {set.Path} ({Format(set.Kind)}, {set.Prompts.Count} prompts)");
        foreach (var stage in recipe.Stages)
        {
            output.WriteLine();
            output.WriteLine($"stage {stage.Id} ({stage.Kind.Name})");
            foreach (var (key, value) in Options(stage.Options)) output.WriteLine($"  {key}: {value}");
            foreach (var (kind, binding) in stage.Plugins)
            {
                output.WriteLine($"  {kind.Key()}: {binding.Name}");
                if (binding.Descriptor.OptionsType is { } optionsType)
                    foreach (var (key, value) in Options(binding.BindOptions(optionsType))) output.WriteLine($"    {key}: {value}");
            }
        }
        return 0;
    }

    /// <summary>An options record's values under their recipe keys, in declaration order.</summary>
    static IEnumerable<(string Key, string Value)> Options(object options) =>
        OptionProperties.Of(options.GetType()).Select(p => (p.Key, Format(p.Info.GetValue(options))));

    /// <summary>A value as a recipe would write it.</summary>
    static string Format(object? value) => value switch
    {
        null => "unset",
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e"),
        float number => number.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e"),
        Enum member => YamlTypes.EnumName(member),
        IFormattable number when value.GetType().IsPrimitive => number.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{k}: {Format(map[k])}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        _ when OptionProperties.Of(value.GetType()) is { Count: > 0 } properties =>
            "{" + string.Join(", ", properties.Select(p => $"{p.Key}: {Format(p.Info.GetValue(value))}")) + "}",
        _ => value.ToString() ?? "",
    };
}
