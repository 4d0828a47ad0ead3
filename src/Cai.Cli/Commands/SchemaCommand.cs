using System.CommandLine;
using System.Text.Json;
using Cai.Abstractions.Input;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Cli.Commands;

/// <summary>`cai schema`: the JSON Schema of recipes, for editors.</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the schema to this file instead of standard output." };
        var command = new Command("schema", "Print the JSON Schema of recipes (with descriptions, defaults and the built-in plugins' options).") { output };
        command.SetAction(parse => Run(parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    static int Run(FileInfo? output, TextWriter stdout)
    {
        using var host = PluginHost.WithBuiltIns();
        string json = RecipeSchema.Generate(host.Plugins, CaiCommandLine.Stages()).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (output?.Directory is { Exists: false } folder)
            throw InputException.ForOption("--output", $"folder {folder} does not exist");
        if (output is null) stdout.Write(json);
        else AtomicFile.WriteAllText(output.FullName, json);
        return 0;
    }
}
