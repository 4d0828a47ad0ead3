using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>sample-pairs: the SL-CAI model samples several responses per prompt for labelling (RL-CAI).</summary>
public sealed record SamplePairsOptions : PromptSamplingOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) to sample on.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team"];

    /// <summary>Responses per prompt; every pair among them is labelled.</summary>
    [Range(2, 64)]
    public int N { get; init; } = 2;
}

/// <summary>sample-pairs (RL-CAI): the policy samples n responses per prompt; every pair among them is labelled later.</summary>
public sealed class SamplePairsStage : IStage
{
    public Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<SamplePairsOptions>();
        if (options.N < 2) throw new InvalidOperationException($"stage '{context.Stage.Id}': n must be at least 2 to form pairs");
        return PromptSelection.AnswerEachAsync(context, options, options.PromptSets, options.N, p => $"{p.Set}/{p.Prompt.Id}",
            (p, samples, model) => [ConversationRows.With(new JsonObject
            {
                ["id"] = $"{p.Set}/{p.Prompt.Id}",
                ["prompt_set"] = p.Set,
                ["prompt_id"] = p.Prompt.Id,
                ["category"] = p.Prompt.Category,
                ["kind"] = p.Prompt.Kind,
                ["prompt"] = p.Prompt.Prompt,
                ["responses"] = new JsonArray(samples.Select(s => (JsonNode)s.Text.Trim()).ToArray()),
                ["model"] = model,
            }, p.Prompt)]);
    }
}
