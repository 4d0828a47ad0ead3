using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models;
using Cai.Models.IO;
using Cai.Models.Training;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Stages;

/// <summary>train: runs the trainer plugin; its options (epochs, lr, kl_coef, ...) belong to the trainer.</summary>
public sealed record TrainOptions : StageOptions
{
    /// <summary>
    /// Ids of earlier stages whose rows make the datasets: the latest of them of each kind (critique-revise and generate
    /// for sft.jsonl, label for preferences.jsonl). Empty means the latest earlier stage of each kind.
    /// </summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The model role the trained checkpoint becomes: policy (sft, ppo, dpo) or reward (reward model).</summary>
    [AllowedValues("policy", "reward")]
    public string OutputRole { get; init; } = "policy";
}

/// <summary>
/// train: hands the trainer plugin the current policy (also the frozen reference), the datasets of earlier stages
/// (<see cref="TrainingDatasets"/>: sft.jsonl, preferences.jsonl, prompts.jsonl, written into the stage's datasets/
/// folder) and the reward model if one was trained; the checkpoint it writes replaces the stage's output role
/// (policy by default).
/// </summary>
public sealed class TrainStage : IStage
{
    /// <summary>The stage kinds whose rows make each dataset (any one of them); prompts.jsonl comes from the recipe's
    /// training prompt sets (those not of kind eval).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> DatasetSources = new Dictionary<string, IReadOnlyList<string>>
    {
        [SftRow.FileName] = ["critique-revise", "generate"],
        [PreferenceRow.FileName] = ["label"],
        [PromptRow.FileName] = [],
    };

    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<TrainOptions>();
        string policy = context.Models.PathOf("policy");
        var datasets = WriteDatasets(context, options, context.Models.Get("policy"));
        using var trainer = context.CreatePlugin<ITrainer>(PluginKind.Trainer);
        context.Observer.StageStarted(context.Stage.Id, $"train ({trainer.Name})", 0);

        string partial = context.Layout.Checkpoint + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        var request = new TrainingRequest(policy, policy, datasets, partial, context.Seed, context.Factory.Device)
        {
            RewardCheckpoint = context.Models.Has("reward") ? context.Models.PathOf("reward") : null,
            ChatFormat = context.Recipe.ChatFormatOf(policy),
        };
        var result = await trainer.TrainAsync(request, new TrainingContext(context));
        if (!Directory.Exists(partial))
            throw new PluginException(trainer.Name, null, $"the trainer returned without writing its checkpoint to {partial}");
        AtomicFile.ReplaceDirectory(partial, context.Layout.Checkpoint);
        return new StageOutcome(0, result.Metrics, new Dictionary<string, string> { [options.OutputRole] = context.Layout.Checkpoint });
    }

    /// <summary>The datasets in TRL's columns, from the input stages' rows, with prompts in the policy's chat format.</summary>
    static IReadOnlyList<string> WriteDatasets(StageContext context, TrainOptions options, ITextModel policy)
    {
        ResolvedStage? Input(string kind) => context.Latest(kind, options.Inputs.Count > 0 ? options.Inputs : null);
        var written = new List<string>();
        string folder = Path.Combine(context.Layout.Directory, "datasets");
        var sft = new List<JsonObject>();
        if (Input("critique-revise") is { } revise)
            foreach (var row in JsonlRowStore.ReadCompleted(context.Run.Stage(revise.Id)))
            {
                var revisions = row["revisions"]!.AsArray();
                for (int round = 1; round <= revisions.Count; round++)
                {
                    var (prompt, completion) = Pair(policy, row, (string)revisions[round - 1]!);
                    sft.Add(new SftRow(RevisionId.Of((string)row["id"]!, round), prompt, completion, SftRow.Revision, round).ToJson());
                }
            }
        if (Input("generate") is { } generate)
            foreach (var row in JsonlRowStore.ReadCompleted(context.Run.Stage(generate.Id)).Where(r => IsHelpful(context, r)))
            {
                var (prompt, completion) = Pair(policy, row, (string)row["completion"]!);
                sft.Add(new SftRow((string)row["id"]!, prompt, completion, SftRow.Helpful, 0).ToJson());
            }
        if (sft.Count > 0) written.Add(WriteRows(Path.Combine(folder, SftRow.FileName), sft));
        if (Input("label") is { } label)
            written.Add(WriteRows(Path.Combine(folder, PreferenceRow.FileName),
                JsonlRowStore.ReadCompleted(context.Run.Stage(label.Id)).Select(r => PreferenceRowOf(r, policy))));
        written.Add(WriteRows(Path.Combine(folder, PromptRow.FileName), context.Recipe.Prompts.Values
            .Where(set => set.Kind != PromptSetKind.Eval)
            .SelectMany(set => set.Prompts.Select(p =>
                new PromptRow($"{set.Name}/{p.Id}", policy.FormatPrompt(p.Dialogue()), set.Name).ToJson()))));
        return written;
    }

    /// <summary>A label row with the prompt in the policy's chat format, the responses as completions, and query (the prompt as
    /// written).</summary>
    static JsonObject PreferenceRowOf(JsonObject label, ITextModel policy)
    {
        var row = (JsonObject)label.DeepClone();
        row["query"] = (string)label["prompt"]!;
        (row["prompt"], row["chosen"]) = Pair(policy, label, (string)label["chosen"]!);
        row["rejected"] = Pair(policy, label, (string)label["rejected"]!).Completion;
        return row;
    }

    static bool IsHelpful(StageContext context, JsonObject row) =>
        (string?)row["prompt_set"] is { } set && context.Recipe.Prompts.TryGetValue(set, out var prompts)
        && prompts.Kind == PromptSetKind.Helpful;

    /// <summary>
    /// A row's conversation and a response as TRL's prompt and completion: prompt + completion is exactly the training
    /// text, and the completion is the reply's assistant span in the policy's chat format (in the Human/Assistant
    /// format, the response after a space).
    /// </summary>
    static (string Prompt, string Completion) Pair(ITextModel policy, JsonObject row, string response)
    {
        var conversation = ConversationRows.Of(row);
        return policy is LocalTextModel local
            ? AssistantTokens.Split(local.Tokenizer.ChatFormat, conversation, response.Trim())
            : (policy.FormatPrompt(conversation), " " + response.Trim());
    }

    static string WriteRows(string path, IEnumerable<JsonObject> rows)
    {
        AtomicFile.WriteAllText(path, string.Concat(rows.Select(r => r.ToJsonString() + "\n")));
        return path;
    }

    /// <summary>
    /// The <see cref="ITrainingContext"/> a train stage hands its trainer: metrics.jsonl, progress, the resume folder and
    /// step. The trainer says where it resumes (<see cref="Resuming"/>); metrics rows after that step are dropped.
    /// </summary>
    sealed class TrainingContext(StageContext stage) : ITrainingContext, IMetricsSink, IProgress<TrainingProgress>
    {
        readonly MetricsLog _metrics = new(stage.Layout.Metrics);
        bool _resumed;

        public ILogger Logger => stage.Logger;
        public IProgress<TrainingProgress> Progress => this;
        public CancellationToken CancellationToken => stage.CancellationToken;
        public IMetricsSink Metrics => this;
        public string CheckpointDirectory => stage.Layout.TrainingState;
        public string OutputDirectory => stage.Layout.Directory;
        public long? ResumeStep => stage.ResumeStep;

        public void Resuming(long step)
        {
            _metrics.TruncateAfter(step);
            _resumed = true;
        }

        public void Log(long step, IReadOnlyDictionary<string, double> values)
        {
            if (!_resumed) Resuming(0); // a trainer that does not say where it resumes starts afresh
            _metrics.Write(values, step);
        }

        public void Report(TrainingProgress value) =>
            stage.Observer.StageProgress(stage.Stage.Id, value.Step, value.Loss is { } loss ? $"loss {loss:F3}" : null);
    }
}
