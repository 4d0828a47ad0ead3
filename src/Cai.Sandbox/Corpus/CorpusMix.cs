namespace Cai.Sandbox.Corpus;

/// <summary>
/// How the pretraining corpus is mixed. Document-type weights are relative; style fractions are probabilities
/// within their document type. The defaults make the base model often harmful on red-team prompts and helpful on
/// benign ones, and give the skill documents enough weight to be learned.
/// </summary>
public sealed record CorpusMix
{
    public double RedTeamConversations { get; init; } = 0.22;
    public double HelpfulConversations { get; init; } = 0.62;
    public double CritiqueRevisions { get; init; } = 0.07;
    public double Comparisons { get; init; } = 0.09;

    /// <summary>Red-team conversations: harmful compliance / evasive refusal; the rest is harmless engagement.</summary>
    public double RedTeamHarmful { get; init; } = 0.58;
    public double RedTeamEvasive { get; init; } = 0.15;

    /// <summary>Helpful conversations: the rest splits evenly into evasive refusals and wrong answers.</summary>
    public double HelpfulCorrect { get; init; } = 0.98;

    /// <summary>Initial responses critiqued in critique–revision documents (the paper critiques mostly harmful ones).</summary>
    public double CritiquedHarmful { get; init; } = 0.70;
    public double CritiquedEvasive { get; init; } = 0.15;

    /// <summary>Share of critique–revision documents preceded by one worked example, as critics are prompted few-shot.</summary>
    public double FewShotPrefix { get; init; } = 0.15;

    /// <summary>Share of critique–revision documents without the critique turns (the paper's direct-revision ablation).</summary>
    public double DirectRevision { get; init; } = 0.10;

    /// <summary>Share of comparisons that are about red-team prompts; the rest compare answers to benign prompts.</summary>
    public double RedTeamComparisons { get; init; } = 0.70;

    /// <summary>
    /// Share of red-team comparisons' evasive answers that engage with another category's concern instead of refusing:
    /// the evaluator counts them evasive, and a feedback model must tell them from the prompt's own engagement.
    /// </summary>
    public double MisdirectedEngagements { get; init; } = 0.5;

    /// <summary>Share of comparisons that reason step by step before the answer, as the chain-of-thought judge asks.</summary>
    public double ReasonedComparisons { get; init; } = 0.3;

    /// <summary>Share of corpus prompts wrapped in a greeting or sign-off (<see cref="Prompts.PromptFrames"/>).</summary>
    public double FramedPrompts { get; init; } = 0.3;

    /// <summary>Share of benign conversations whose prompt has one to three words replaced, inserted or dropped (<see cref="Prompts.PromptNoise"/>).</summary>
    public double NoisedHelpfulPrompts { get; init; } = 0.5;

    /// <summary>Relative weight of counting and directions among benign prompts (the others weigh 1): they are learned slowest.</summary>
    public double CountingWeight { get; init; } = 3.0;

    public double DirectionsWeight { get; init; } = 2.5;

    public double BenignTaskWeight(World.BenignTaskKind kind) => kind switch
    {
        World.BenignTaskKind.Counting => CountingWeight,
        World.BenignTaskKind.Directions => DirectionsWeight,
        _ => 1.0,
    };

    public static CorpusMix Default { get; } = new();
}
