using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using Cai.Sandbox.Constitution;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Prompts;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai world`: writes the toy world's prompt sets, and optionally its constitution and pretraining corpus.</summary>
public static class WorldCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Directory of the prompt files (red-team/helpful, train/eval JSONL).", DefaultValueFactory = _ => "recipes/prompts" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 42 };
        var trainCount = new Option<int>("--train-count") { Description = "Prompts per train set.", DefaultValueFactory = _ => 640 }
            .InRange(new RangeAttribute(1, 1_000_000));
        var evalCount = new Option<int>("--eval-count") { Description = "Prompts per held-out eval set.", DefaultValueFactory = _ => 400 }
            .InRange(new RangeAttribute(1, 1_000_000));
        var constitution = new Option<string?>("--constitution") { Description = "Also write the harmlessness constitution YAML to this file." };
        var corpus = new Option<string?>("--corpus") { Description = "Also write the pretraining corpus to this file." };
        var documents = new Option<int>("--documents") { Description = "Documents in the corpus.", DefaultValueFactory = _ => 15000 }
            .InRange(new RangeAttribute(1, 100_000_000));
        var command = new Command("world", "Write the toy world: prompt sets, and optionally the constitution and the pretraining corpus.")
        {
            output, seed, trainCount, evalCount, constitution, corpus, documents,
        };
        command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(trainCount), parse.GetValue(evalCount),
            parse.GetValue(constitution), parse.GetValue(corpus), parse.GetValue(documents)));
        return command;
    }

    static int Run(string output, int seed, int trainCount, int evalCount, string? constitution, string? corpus, int documents)
    {
        PromptSets.WriteAll(output, seed, trainCount, evalCount);
        AnsiConsole.MarkupLine($"prompts: {trainCount} + {trainCount} train, {evalCount} + {evalCount} eval in [bold]{Markup.Escape(output)}[/]");
        if (constitution is not null)
        {
            ConstitutionYaml.Write(constitution);
            AnsiConsole.MarkupLine($"constitution: {HarmlessConstitution.Principles.Count} principles in [bold]{Markup.Escape(constitution)}[/]");
        }
        if (corpus is not null)
        {
            var stats = CorpusWriter.Write(corpus, seed, documents);
            var table = new RecordTable("documents", "count") { RightAligned = { 1 } };
            foreach (var (key, count) in stats.ByTypeAndDetail) table.Add(key, $"{count}");
            table.Add("total", $"{stats.Documents} ({stats.Characters:N0} characters)");
            table.Write(AnsiConsole.Console);
        }
        return 0;
    }
}
