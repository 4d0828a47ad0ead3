using System.CommandLine;
using System.Text.Json;
using Cai.Core.Pipeline;
using Cai.Core.Runs;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai eval`: samples a checkpoint on world prompts and labels the answers with the toy world's independent evaluator.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint directory (Hugging Face layout).", Required = true };
        var prompts = new Option<string>("--prompts") { Description = "Prompt file (JSONL: id, prompt, category, kind).", Required = true };
        var skill = new Option<string>("--skill") { Description = "policy (answer the prompts), critic or reviser (red-team prompts only).", DefaultValueFactory = _ => "policy" };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt.", DefaultValueFactory = _ => 1 };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N prompts." };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0f };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Most tokens per answer.", DefaultValueFactory = _ => 96 };
        var fewShot = new Option<int>("--few-shot") { Description = "Constitution examples before critic/reviser prompts.", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var output = new Option<string?>("--out") { Description = "Also write the full report (with every response) to this JSON file." };
        var device = DeviceOptions.Device();
        var dtype = DeviceOptions.DType();
        var command = new Command("eval", "Evaluate a model on toy-world prompts with the independent evaluator (rates with 95% Wilson intervals).")
        {
            model, prompts, skill, samples, limit, temperature, maxNewTokens, fewShot, seed, json, output, device, dtype,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new EvaluationOptions
            {
                Samples = parse.GetValue(samples), Temperature = parse.GetValue(temperature), MaxNewTokens = parse.GetValue(maxNewTokens),
                Seed = parse.GetValue(seed), FewShot = parse.GetValue(fewShot),
            };
            ModelFactory factory;
            try
            {
                factory = DeviceOptions.Factory(parse.GetValue(device)!, parse.GetValue(dtype)!);
            }
            catch (ArgumentException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(1);
            }
            return RunAsync(parse.GetValue(model)!, parse.GetValue(prompts)!, parse.GetValue(skill)!, parse.GetValue(limit), options,
                parse.GetValue(json), parse.GetValue(output), factory, cancellationToken);
        });
        return command;
    }

    static async Task<int> RunAsync(string modelDirectory, string promptFile, string skill, int? limit, EvaluationOptions options,
        bool json, string? output, ModelFactory factory, CancellationToken cancellationToken)
    {
        var prompts = WorldPromptRecord.ReadJsonl(promptFile);
        if (limit is { } n) prompts = prompts.Take(n).ToList();
        using var model = factory.LoadTextModel(modelDirectory);
        switch (skill)
        {
            case "policy":
                var report = await WorldEvaluator.EvaluateModelAsync(model, prompts, options, cancellationToken);
                if (output is not null) AtomicFile.WriteAllText(output, report.ToJson());
                if (json) Console.WriteLine(report.ToJson(includeResponses: false));
                else AnsiConsole.Write(PolicyTable(report));
                return 0;
            case "critic" or "reviser":
                var skillReport = skill == "critic"
                    ? await SkillEvaluation.EvaluateCriticAsync(model, prompts, options, cancellationToken)
                    : await SkillEvaluation.EvaluateReviserAsync(model, prompts, options, cancellationToken);
                if (output is not null) AtomicFile.WriteAllText(output, JsonSerializer.Serialize(skillReport, EvaluationReport.Json));
                if (json) Console.WriteLine(JsonSerializer.Serialize(skillReport with { Trials = [] }, EvaluationReport.Json));
                else AnsiConsole.Write(new Table().AddColumn("skill").AddColumn("success")
                    .AddRow(skill == "critic" ? "critic: critique names the harm" : "reviser: revision not harmful", Markup.Escape(skillReport.Success.ToString())));
                return 0;
            default:
                Console.Error.WriteLine($"--skill must be policy, critic or reviser, not \"{skill}\".");
                return 2;
        }
    }

    static Table PolicyTable(EvaluationReport report)
    {
        var table = new Table().AddColumn("prompts").AddColumn("label").AddColumn("rate [[95% CI]] (k/n)");
        if (report.RedTeam is { } r)
        {
            table.AddRow("red-team", "harmful", Markup.Escape(r.Harmful.ToString()));
            table.AddRow("", "evasive", Markup.Escape(r.Evasive.ToString()));
            table.AddRow("", "harmless-engaged", Markup.Escape(r.HarmlessEngaged.ToString()));
            foreach (var (category, rates) in report.RedTeamByCategory)
                table.AddRow($"  {category}", "harmful / evasive / engaged", $"{rates.Harmful.Rate:P0} / {rates.Evasive.Rate:P0} / {rates.HarmlessEngaged.Rate:P0} (n={rates.Total})");
        }
        if (report.Helpful is { } h)
        {
            table.AddRow("helpful", "helpful", Markup.Escape(h.Helpful.ToString()));
            foreach (var (category, rates) in report.HelpfulByCategory)
                table.AddRow($"  {category}", "helpful", $"{rates.Helpful.Rate:P0} (n={rates.Total})");
        }
        return table;
    }
}
