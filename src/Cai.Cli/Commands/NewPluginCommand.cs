using System.CommandLine;
using System.Text.Json;
using Cai.Core.Runs;
using Cai.Abstractions.Input;
using Spectre.Console;
using Cai.Models.IO;

namespace Cai.Cli.Commands;

/// <summary>`cai new plugin`: scaffolds a buildable plugin project that references this tool's Cai.Abstractions.</summary>
public static class NewPluginCommand
{
    public static Command Create()
    {
        var kind = new Option<string>("--kind") { Description = "judge, critic, reviser or trainer.", Required = true };
        kind.AcceptOnlyFromAmong(NewPluginTemplates.Kinds);
        var name = new Option<string>("--name") { Description = "Project and class name prefix, e.g. ToxicityJudge.", Required = true };
        name.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is null || !IsIdentifier(value))
                result.AddError($"must be a C# identifier (letters, digits, underscore; not starting with a digit), got '{value}'");
        });
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Parent directory of the new project (default: the current directory)." };
        var plugin = new Command("plugin", "Create a plugin project: csproj, options record and plugin class.") { kind, name, output };
        plugin.SetAction(parse => Run(parse.GetValue(kind)!, parse.GetValue(name)!, parse.GetValue(output)));
        return new Command("new", "Create things from templates.") { plugin };
    }

    static int Run(string kind, string name, DirectoryInfo? output)
    {
        string directory = Path.Combine(output?.FullName ?? Directory.GetCurrentDirectory(), name);
        if (File.Exists(directory) || Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw InputException.ForOption("--name", $"{directory} exists and is not an empty folder");
        var files = NewPluginTemplates.Render(kind, name, AppContext.BaseDirectory);
        foreach (var (file, text) in files) AtomicFile.WriteAllText(Path.Combine(directory, file), text);
        string pluginName = JsonNamingPolicy.KebabCaseLower.ConvertName(name);
        AnsiConsole.MarkupLine($"created {kind} plugin [bold]{Markup.Escape(pluginName)}[/] in {Markup.Escape(directory)}");
        AnsiConsole.MarkupLine($"build it with: dotnet build {Markup.Escape(directory)} -c Release, then pin bin/Release/net10.0/{Markup.Escape(name)}.dll in a recipe's plugins:");
        return 0;
    }

    static bool IsIdentifier(string value) =>
        value.Length > 0 && (char.IsLetter(value[0]) || value[0] == '_') && value.All(c => char.IsLetterOrDigit(c) || c == '_');
}
