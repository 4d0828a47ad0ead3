using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>generate: the policy answers the prompts of the given sets.</summary>
public sealed record GenerateOptions : PromptSamplingOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) the policy answers.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team", "helpful"];

    /// <summary>Responses per prompt.</summary>
    [Range(1, 1024)]
    public int N { get; init; } = 1;
}

/// <summary>generate: the policy answers every prompt of the named sets, n times.</summary>
public sealed class GenerateStage : IStage
{
    public Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<GenerateOptions>();
        return PromptSelection.AnswerEachAsync(context, options, options.PromptSets, options.N, p => RowId(p.Set, p.Prompt, 0),
            (p, samples, model) => samples.Select((s, k) => Row(p.Set, p.Prompt, k, s.Text.Trim(), model)));
    }

    static string RowId(string set, PromptRecord prompt, int sample) => $"{set}/{prompt.Id}/{sample}";

    static JsonObject Row(string set, PromptRecord prompt, int sample, string completion, string model) => ConversationRows.With(new()
    {
        ["id"] = RowId(set, prompt, sample),
        ["prompt_set"] = set,
        ["prompt_id"] = prompt.Id,
        ["category"] = prompt.Category,
        ["kind"] = prompt.Kind,
        ["prompt"] = prompt.Prompt,
        ["completion"] = completion,
        ["model"] = model,
    }, prompt);
}
