using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai plugins list [RECIPE]`: the built-in plugins and those a recipe pins.</summary>
public static class PluginsCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo?>("recipe") { Description = "Also list the third-party plugins this recipe pins.", Arity = ArgumentArity.ZeroOrOne };
        var trust = ValidateCommand.TrustOption();
        var json = new Option<bool>("--json") { Description = "Print a JSON array (name, kind, version, source, assembly path, sha256) instead of a table." };
        var list = new Command("list", "List plugins: name, kind, version and source assembly.") { recipe, trust, json };
        list.SetAction(parse => List(parse.GetValue(recipe), parse.GetValue(trust), parse.GetValue(json)));
        return new Command("plugins", "Inspect plugins.") { list };
    }

    static int List(FileInfo? recipeFile, bool trustPlugins, bool json)
    {
        using var host = PluginHost.WithBuiltIns();
        if (recipeFile is not null)
        {
            var (recipe, source) = RecipeLoader.Load(recipeFile.ToString());
            var binder = new YamlBinder(source);
            RecipeResolver.LoadPlugins(recipe, host, trustPlugins, binder);
            binder.ThrowIfAny();
        }
        if (json)
        {
            Console.WriteLine(new JsonArray(host.Plugins.OrderBy(p => p.Kind).ThenBy(p => p.Name).Select(plugin => (JsonNode)new JsonObject
            {
                ["name"] = plugin.Name, ["kind"] = plugin.Kind.Key(), ["version"] = plugin.Assembly.Version,
                ["source"] = plugin.Assembly.IsBuiltIn ? "built-in" : "recipe", ["assembly"] = plugin.Assembly.Path, ["sha256"] = plugin.Assembly.Sha256,
            }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var table = new RecordTable("name", "kind", "version", "source", "assembly", "sha256");
        foreach (var plugin in host.Plugins.OrderBy(p => p.Kind).ThenBy(p => p.Name))
            table.Add(plugin.Name, plugin.Kind.Key(), plugin.Assembly.Version, plugin.Assembly.IsBuiltIn ? "built-in" : "recipe",
                Path.GetFileName(plugin.Assembly.Path), plugin.Assembly.Sha256[..12]);
        table.Write(AnsiConsole.Console);
        if (!host.Plugins.Any()) AnsiConsole.MarkupLine("[yellow]no plugins found[/]");
        return 0;
    }
}
