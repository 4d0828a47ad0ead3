using Cai.Abstractions.Text;
using Cai.Sandbox.Constitution;
using Cai.Sandbox.Documents;
using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;
using Cai.Sandbox.World;

namespace Cai.Sandbox.Corpus;

/// <summary>Draws corpus documents of each type from train template families only.</summary>
internal sealed class CorpusDocuments(Random rng, CorpusMix mix)
{
    public CorpusDocument Next()
    {
        double total = mix.RedTeamConversations + mix.HelpfulConversations + mix.CritiqueRevisions + mix.Comparisons;
        double u = rng.NextDouble() * total;
        if ((u -= mix.RedTeamConversations) < 0) return RedTeamConversation();
        if ((u -= mix.HelpfulConversations) < 0) return HelpfulConversation();
        if ((u -= mix.CritiqueRevisions) < 0) return CritiqueRevision();
        return Comparison();
    }

    CorpusDocument RedTeamConversation()
    {
        var prompt = RedTeamPrompt();
        var style = RedTeamStyle(mix.RedTeamHarmful, mix.RedTeamEvasive);
        string response = RedTeamResponses.Write(style, prompt, rng);
        return new(CorpusDocumentType.RedTeamConversation, style.ToString(), ChatTranscript.Render((Role.User, prompt.Text), (Role.Assistant, response)));
    }

    CorpusDocument HelpfulConversation()
    {
        var prompt = HelpfulPrompt();
        bool noised = rng.NextDouble() < mix.NoisedHelpfulPrompts;
        string said = noised ? PromptNoise.Perturb(prompt, rng).Text : prompt.Text;
        double u = rng.NextDouble();
        var (detail, response) = u < mix.HelpfulCorrect
            ? ("Helpful", HelpfulResponses.Helpful(prompt, rng))
            : u < mix.HelpfulCorrect + (1 - mix.HelpfulCorrect) / 2
                ? ("Evasive", RedTeamResponses.Evasive(rng))
                : ("Wrong", HelpfulResponses.WrongAnswer(prompt, rng));
        return new(CorpusDocumentType.HelpfulConversation, noised ? detail + CorpusDocument.NoisedMark : detail,
            ChatTranscript.Render((Role.User, said), (Role.Assistant, response)));
    }

    CorpusDocument CritiqueRevision()
    {
        var principle = PromptGenerator.Pick(rng, HarmlessConstitution.WorldPrinciples);
        var style = RedTeamStyle(mix.CritiquedHarmful, mix.CritiquedEvasive);
        var example = CritiqueRevisionExample.Create(RedTeamPrompt(), style, principle, rng);
        bool withCritique = rng.NextDouble() >= mix.DirectRevision;
        string text = example.Render(principle, withCritique);
        if (rng.NextDouble() < mix.FewShotPrefix)
        {
            var shot = CritiqueRevisionExample.Create(RedTeamPrompt(), ResponseStyle.HarmfulCompliance, principle, rng);
            text = shot.Render(principle, withCritique) + text;
        }
        return new(CorpusDocumentType.CritiqueRevision, style.ToString(), text);
    }

    static readonly (int Low, int High)[] _pairs = [(0, 1), (0, 2), (1, 2)];

    CorpusDocument Comparison()
    {
        var principle = PromptGenerator.Pick(rng, HarmlessConstitution.Principles);
        WorldPrompt prompt;
        (string Response, ComparedResponse Kind) better, worse;
        if (rng.NextDouble() < mix.RedTeamComparisons)
        {
            prompt = RedTeamPrompt();
            // Listed worst first: the later style is the better one (harmless-engaged > evasive > harmful).
            var styles = new[] { ResponseStyle.HarmfulCompliance, ResponseStyle.EvasiveRefusal, ResponseStyle.HarmlessEngagement };
            var kinds = new[] { ComparedResponse.Harmful, ComparedResponse.Evasive, ComparedResponse.HarmlessEngaged };
            var (low, high) = PromptGenerator.Pick(rng, _pairs);
            better = (RedTeamResponses.Write(styles[high], prompt, rng), kinds[high]);
            worse = styles[low] == ResponseStyle.EvasiveRefusal && rng.NextDouble() < mix.MisdirectedEngagements
                ? (MisdirectedEngagement(prompt), ComparedResponse.Misdirected)
                : (RedTeamResponses.Write(styles[low], prompt, rng), kinds[low]);
        }
        else
        {
            prompt = HelpfulPrompt();
            better = (HelpfulResponses.Helpful(prompt, rng), ComparedResponse.Helpful);
            worse = rng.Next(2) == 0
                ? (RedTeamResponses.Evasive(rng), ComparedResponse.Evasive)
                : (HelpfulResponses.WrongAnswer(prompt, rng), ComparedResponse.Wrong);
        }
        bool betterIsA = rng.Next(2) == 0;
        var (a, b) = betterIsA ? (better, worse) : (worse, better);
        string? reasoning = rng.NextDouble() < mix.ReasonedComparisons ? ComparisonReasoning.For(a.Kind, b.Kind, betterIsA) : null;
        return new(CorpusDocumentType.Comparison, $"{better.Kind}>{worse.Kind}" + (reasoning is null ? "" : " reasoned"),
            ComparisonDocument.Render(prompt.Text, principle.ComparisonQuestion, a.Response, b.Response, betterIsA, reasoning));
    }

    /// <summary>A harmless engagement written for a red-team prompt of another category.</summary>
    string MisdirectedEngagement(WorldPrompt prompt)
    {
        var others = HarmCategories.All.Where(c => c.Id != prompt.Category).ToList();
        return RedTeamResponses.HarmlessEngaged(PromptGenerator.RedTeam(rng, PromptGenerator.Pick(rng, others), heldOut: false), rng);
    }

    ResponseStyle RedTeamStyle(double harmful, double evasive)
    {
        double u = rng.NextDouble();
        return u < harmful ? ResponseStyle.HarmfulCompliance : u < harmful + evasive ? ResponseStyle.EvasiveRefusal : ResponseStyle.HarmlessEngagement;
    }

    WorldPrompt RedTeamPrompt() => Framed(PromptGenerator.RedTeam(rng, PromptGenerator.Pick(rng, HarmCategories.All), heldOut: false));

    WorldPrompt HelpfulPrompt() => Framed(PromptGenerator.Helpful(rng, BenignTask(), heldOut: false));

    WorldPrompt Framed(WorldPrompt prompt) => rng.NextDouble() < mix.FramedPrompts ? PromptFrames.Frame(prompt, rng) : prompt;

    BenignTaskKind BenignTask()
    {
        double u = rng.NextDouble() * BenignTaskKinds.All.Sum(mix.BenignTaskWeight);
        foreach (var kind in BenignTaskKinds.All)
            if ((u -= mix.BenignTaskWeight(kind)) < 0) return kind;
        return BenignTaskKinds.All[^1];
    }
}
