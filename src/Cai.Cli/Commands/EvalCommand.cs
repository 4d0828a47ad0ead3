using System.CommandLine;
using System.Text.Json;
using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;
using System.Text.Json.Nodes;
using Cai.Core.Evaluation;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Stages;
using Cai.Core.Prompts;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using Spectre.Console;
using Cai.Models;
using Cai.Models.IO;

namespace Cai.Cli.Commands;

/// <summary>
/// `cai eval`: samples a checkpoint on world prompts and labels the answers with the toy world's independent evaluator,
/// along the evaluate stage's path (each prompt seeded from --seed and its id, stopped at the model's turn stop strings),
/// and prints the rates with 95% Wilson intervals; or tests the model as critic or reviser.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint directory (Hugging Face layout).", Required = true };
        var prompts = new Option<string>("--prompts")
        {
            Description = "Prompt file (JSONL: id, prompt, category, kind; with --recipe, any prompt-set format).",
            Required = true,
        };
        var recipe = new Option<string?>("--recipe")
        {
            Description = "Label with the evaluator of this recipe's last evaluate stage (its evaluator:, with: options and models) "
                + "instead of the toy world's.",
        };
        var trust = ValidateCommand.TrustOption();
        var skill = new Option<string>("--skill") { Description = "policy (answer the prompts), critic or reviser (red-team prompts only).", DefaultValueFactory = _ => "policy" };
        skill.AcceptOnlyFromAmong("policy", "critic", "reviser");
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
            model, prompts, skill, samples, limit, temperature, maxNewTokens, fewShot, seed, json, output, device, dtype, recipe, trust,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new EvaluationOptions
            {
                Samples = parse.GetValue(samples),
                Temperature = parse.GetValue(temperature),
                MaxNewTokens = parse.GetValue(maxNewTokens),
                Seed = parse.GetValue(seed),
                FewShot = parse.GetValue(fewShot),
            };
            var factory = DeviceOptions.Factory(parse.GetValue(device)!, parse.GetValue(dtype)!);
            if (parse.GetValue(recipe) is { } recipeFile)
            {
                if (parse.GetValue(skill) != "policy")
                    throw InputException.ForOption("--recipe", "evaluates the policy skill only (drop --skill)");
                return TorchThread.RunAsync(() => RecipeEvaluatorAsync(recipeFile, parse.GetValue(trust), parse.GetValue(model)!, parse.GetValue(prompts)!,
                    parse.GetValue(limit), options, parse.GetValue(json), parse.GetValue(output), factory, cancellationToken));
            }
            // The model loads and runs on the torch thread (one OpenMP team for the process: see TorchThread).
            return TorchThread.RunAsync(() => RunAsync(parse.GetValue(model)!, parse.GetValue(prompts)!, parse.GetValue(skill)!, parse.GetValue(limit), options,
                parse.GetValue(json), parse.GetValue(output), factory, cancellationToken));
        });
        return command;
    }

    static async Task<int> RunAsync(string modelDirectory, string promptFile, string skill, int? limit, EvaluationOptions options,
        bool json, string? output, ModelFactory factory, CancellationToken cancellationToken)
    {
        CaiCommandLine.CheckArguments(options);
        if (output is not null && Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder && !Directory.Exists(folder))
            throw InputException.ForOption("--out", $"folder {folder} does not exist");
        if (limit is < 1) throw InputException.ForOption("--limit", $"must be at least 1, got {limit}");
        var prompts = WorldPrompts(promptFile);
        if (limit is { } n) prompts = prompts.Take(n).ToList();
        using var model = factory.LoadTextModel(modelDirectory);
        switch (skill)
        {
            case "policy":
                var report = await WorldEvaluator.EvaluateModelAsync(model, prompts, options, cancellationToken);
                if (output is not null) AtomicFile.WriteAllText(output, report.ToJson());
                if (json) Console.WriteLine(report.ToJson(includeResponses: false));
                else PolicyTable(report).Write(AnsiConsole.Console);
                return 0;
            case "critic" or "reviser":
                var skillReport = skill == "critic"
                    ? await SkillEvaluation.EvaluateCriticAsync(model, prompts, options, cancellationToken)
                    : await SkillEvaluation.EvaluateReviserAsync(model, prompts, options, cancellationToken);
                if (output is not null) AtomicFile.WriteAllText(output, JsonSerializer.Serialize(skillReport, EvaluationReport.Json));
                if (json) Console.WriteLine(JsonSerializer.Serialize(skillReport with { Trials = [] }, EvaluationReport.Json));
                else new RecordTable("skill", "success")
                    .Add(skill == "critic" ? "critic: critique names the harm" : "reviser: revision not harmful", skillReport.Success.ToString())
                    .Write(AnsiConsole.Console);
                return 0;
            default:
                throw InputException.ForOption("--skill", $"must be policy, critic or reviser, got {InputError.Quote(skill)}");
        }
    }

    /// <summary>
    /// The policy labelled by a recipe's evaluator (<see cref="EvaluateStage.OfRecipe"/>) along the evaluate stage's path
    /// (<see cref="PolicyEvaluation"/>): the model under evaluation plays the recipe's policy role; the rate of each label
    /// it declares.
    /// </summary>
    static async Task<int> RecipeEvaluatorAsync(string recipeFile, bool trustPlugins, string modelDirectory, string promptFile, int? limit,
        EvaluationOptions options, bool json, string? output, ModelFactory factory, CancellationToken cancellationToken)
    {
        CaiCommandLine.CheckArguments(options);
        if (limit is < 1) throw InputException.ForOption("--limit", $"must be at least 1, got {limit}");
        using var host = PluginHost.WithBuiltIns();
        var stages = CaiCommandLine.Stages();
        var recipe = RecipeResolver.Resolve(recipeFile, host, stages, trustPlugins);
        if (recipe.Stages.All(s => s.Kind.Name != "evaluate") && stages.Evaluator is null)
            throw InputException.ForOption("--recipe", "has no evaluate stage to take the evaluator from");
        var prompts = PromptSet.Load(WorldEvaluator.PromptSet, promptFile).Prompts.Take(limit ?? int.MaxValue)
            .Select(p => (WorldEvaluator.PromptSet, p)).ToList();
        using var models = ModelRegistry.For(recipe, factory);
        models.Replace("policy", modelDirectory);
        var evaluator = EvaluateStage.OfRecipe(recipe, host, models, stages.Evaluator,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)!;
        try
        {
            PolicyEvaluation.CheckPrompts(prompts, evaluator, _ => promptFile);
            var sampling = new Cai.Abstractions.Text.GenerationOptions
            {
                MaxNewTokens = options.MaxNewTokens,
                Temperature = options.Temperature,
                NumReturnSequences = options.Samples,
                BatchSize = options.BatchSize,
            };
            var answers = await PolicyEvaluation.RunAsync(models.Get("policy"), evaluator, prompts, sampling, options.Seed, "eval",
                cancellationToken);
            var counts = evaluator.Labels.Select(l => (l.Name, l.Id, Count: answers.Count(a => a.Label == l.Id))).ToList();
            var rates = new JsonObject
            {
                ["evaluator"] = evaluator.Name,
                ["responses"] = answers.Count,
                ["labels"] = new JsonObject(counts.Select(c => KeyValuePair.Create(c.Id, (JsonNode?)new JsonObject
                { ["count"] = c.Count, ["rate"] = answers.Count == 0 ? 0 : c.Count / (double)answers.Count }))),
            };
            if (output is not null)
            {
                var full = (JsonObject)rates.DeepClone();
                full["answers"] = new JsonArray([.. answers.Select(a => (JsonNode)new JsonObject
                    { ["id"] = a.Id, ["prompt"] = a.Prompt.Prompt, ["response"] = a.Response, ["label"] = a.Label })]);
                AtomicFile.WriteAllText(output, full.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            if (json) Console.WriteLine(rates.ToJsonString());
            else
            {
                var table = new RecordTable("label", "rate (k/n)");
                foreach (var (name, _, count) in counts)
                    table.Add(name, $"{(answers.Count == 0 ? 0 : count / (double)answers.Count):P1} ({count}/{answers.Count})");
                table.Write(AnsiConsole.Console);
            }
            return 0;
        }
        finally { (evaluator as IDisposable)?.Dispose(); }
    }

    /// <summary>The prompt file as toy-world prompts: read strictly, each with a category and kind the world's grammar agrees
    /// with.</summary>
    static List<PromptRecord> WorldPrompts(string file)
    {
        var errors = new List<InputError>();
        var records = new List<PromptRecord>();
        var evaluator = new WorldResponseEvaluator();
        foreach (var p in PromptSet.Load("prompts", file).Prompts)
        {
            if (p.Category is null || p.Kind is null)
                errors.Add(new InputError(new SourceLocation(file), $"prompt {InputError.Quote(p.Id)} needs a category and a kind (toy-world prompts)"));
            else if (evaluator.Refuses(p) is { } refusal)
                errors.Add(new InputError(new SourceLocation(file), refusal));
            else
                try
                {
                    PromptParser.Parse(p);
                    records.Add(p);
                }
                catch (FormatException e)
                {
                    errors.Add(new InputError(new SourceLocation(file), $"prompt {InputError.Quote(p.Id)}: {e.Message.TrimEnd('.')}"));
                }
        }
        InputException.ThrowIfAny(errors);
        return records;
    }

    static RecordTable PolicyTable(EvaluationReport report)
    {
        var table = new RecordTable("prompts", "label", "rate [95% CI] (k/n)");
        if (report.RedTeam is { } r)
        {
            table.Add("red-team", "harmful", r.Harmful.ToString());
            table.Add("", "evasive", r.Evasive.ToString());
            table.Add("", "harmless-engaged", r.HarmlessEngaged.ToString());
            foreach (var (category, rates) in report.RedTeamByCategory)
                table.Add($"  {category}", "harmful / evasive / engaged", $"{rates.Harmful.Rate:P0} / {rates.Evasive.Rate:P0} / {rates.HarmlessEngaged.Rate:P0} (n={rates.Total})");
        }
        if (report.Helpful is { } h)
        {
            table.Add("helpful", "helpful", h.Helpful.ToString());
            foreach (var (category, rates) in report.HelpfulByCategory)
                table.Add($"  {category}", "helpful", $"{rates.Helpful.Rate:P0} (n={rates.Total})");
        }
        return table;
    }
}
