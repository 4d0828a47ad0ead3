using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Recipes.Yaml;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>label: the judge gives each pair a soft label P(A preferred) under sampled principles (AI feedback).</summary>
public sealed record LabelOptions : StageOptions
{
    /// <summary>Ask A/B and B/A and average, to cancel position bias.</summary>
    public bool BothOrders { get; init; } = true;

    /// <summary>Principles sampled per pair; their probabilities are averaged (an ensemble over principles).</summary>
    [Range(1, 1024)]
    public int Principles { get; init; } = 1;
}

/// <summary>
/// label (RL-CAI): the judge gives every response pair a soft label P(A preferred) under sampled principles; with
/// both_orders it also sees B/A and the two are averaged to cancel position bias. Rows carry TRL's chosen/rejected
/// with p_chosen, the principles, the judge's provenance and how its model scored the choice (<c>label_method</c>:
/// logprobs, top-logprobs or votes); an ensemble judge's rows also carry each member's own P(A) (<c>members</c>) and
/// scoring method (<c>member_methods</c>).
/// </summary>
public sealed class LabelStage : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<LabelOptions>();
        var source = context.RequireLatest("sample-pairs");
        var pairs = JsonlRowStore.ReadCompleted(context.Run.Stage(source.Id)).SelectMany(Pairs).ToList();
        var sampler = new PrincipleSampler(context.Recipe.Constitution.Principles, context.Seed);
        var store = JsonlRowStore.Open(context.Layout);
        using var judge = context.CreatePlugin<IJudge>(PluginKind.Judge);
        context.Observer.StageStarted(context.Stage.Id, "label", pairs.Count);

        foreach (var batch in ItemBatches.Pending(pairs, options.BatchSize, p => store.Contains(p.Id)))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            judge.RefreshIfChanged();
            var requests = new List<ComparisonRequest>();
            foreach (var pair in batch)
                for (int k = 0; k < options.Principles; k++)
                {
                    var principle = sampler.Sample(pair.Id, k, "label");
                    requests.Add(new ComparisonRequest($"{pair.Id}#p{k}", pair.Conversation, pair.A, pair.B, principle));
                    if (options.BothOrders)
                        requests.Add(new ComparisonRequest($"{pair.Id}#p{k}#ba", pair.Conversation, pair.B, pair.A, principle));
                }
            var preferences = await judge.CompareAsync(requests, context.CancellationToken);
            var byId = preferences.ToDictionary(p => p.ItemId);
            store.AppendBatch(batch.Select(pair => pair.ToRow(options, byId, requests, judge.Provenance)));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count);
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }

    static IEnumerable<Pair> Pairs(JsonObject row)
    {
        var responses = row["responses"]!.AsArray().Select(r => (string)r!).ToList();
        for (int i = 0; i < responses.Count; i++)
            for (int j = i + 1; j < responses.Count; j++)
                yield return new Pair(row, $"{row["id"]}/{i}-{j}", responses[i], responses[j]);
    }

    sealed record Pair(JsonObject Source, string Id, string A, string B)
    {
        public Conversation Conversation => ConversationRows.Of(Source);

        public JsonObject ToRow(LabelOptions options, IReadOnlyDictionary<string, Preference> byId, List<ComparisonRequest> requests, Provenance judge)
        {
            var perPrinciple = new List<double>();
            var principles = new JsonArray();
            for (int k = 0; k < options.Principles; k++)
            {
                double forward = byId[$"{Id}#p{k}"].ProbabilityA;
                perPrinciple.Add(options.BothOrders ? Preference.InBothOrders(forward, byId[$"{Id}#p{k}#ba"].ProbabilityA) : forward);
                principles.Add(requests.First(r => r.ItemId == $"{Id}#p{k}").Principle.Id);
            }
            double pA = perPrinciple.Average();
            bool aChosen = pA >= 0.5;
            var row = new JsonObject
            {
                ["id"] = Id,
                ["prompt_set"] = (string?)Source["prompt_set"],
                ["prompt_id"] = (string?)Source["prompt_id"],
                ["category"] = (string?)Source["category"],
                ["prompt"] = (string)Source["prompt"]!,
                ["response_a"] = A,
                ["response_b"] = B,
                ["p_a"] = pA,
                ["chosen"] = aChosen ? A : B,
                ["rejected"] = aChosen ? B : A,
                ["p_chosen"] = aChosen ? pA : 1 - pA,
                ["principles"] = principles,
                ["rationale"] = byId[$"{Id}#p0"].Rationale,
                ["judge"] = ProvenanceRow.Of(judge),
            };
            ConversationRows.CopyTo(Source, row);
            var judged = Enumerable.Range(0, options.Principles)
                .SelectMany(k => options.BothOrders ? [$"{Id}#p{k}", $"{Id}#p{k}#ba"] : new[] { $"{Id}#p{k}" }).Select(id => byId[id]).ToList();
            if (judged.Select(p => p.Method).Distinct().ToList() is [{ } method])
                row["label_method"] = YamlTypes.EnumName(method);
            if (byId[$"{Id}#p0"].MemberLabels is { Count: > 0 } names)
                row["members"] = new JsonObject(names.Keys.Select(name => KeyValuePair.Create(name, (JsonNode?)MemberLabel(options, byId, name))));
            if (byId[$"{Id}#p0"].MemberMethods is { Count: > 0 } methods)
                row["member_methods"] = new JsonObject(methods.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)YamlTypes.EnumName(m.Value))));
            return row;
        }

        /// <summary>An ensemble member's own P(A), averaged over orders and principles as p_a is.</summary>
        double MemberLabel(LabelOptions options, IReadOnlyDictionary<string, Preference> byId, string member)
        {
            double Of(string id) => byId[id].MemberLabels?.GetValueOrDefault(member, 0.5) ?? 0.5;
            return Enumerable.Range(0, options.Principles)
                .Select(k => options.BothOrders ? Preference.InBothOrders(Of($"{Id}#p{k}"), Of($"{Id}#p{k}#ba")) : Of($"{Id}#p{k}"))
                .Average();
        }
    }
}
