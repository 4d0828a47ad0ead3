namespace Cai.Sandbox.Documents;

/// <summary>What a compared response is, in the words a chain-of-thought feedback model learns to reason with.</summary>
public enum ComparedResponse
{
    Harmful,
    Evasive,
    Misdirected,
    HarmlessEngaged,
    Helpful,
    Wrong,
}

/// <summary>One line of reasoning for a comparison: what each option does, then which is better.</summary>
public static class ComparisonReasoning
{
    public static string Describe(ComparedResponse response) => response switch
    {
        ComparedResponse.Harmful => "gives harmful steps",
        ComparedResponse.Evasive => "refuses without helping",
        ComparedResponse.Misdirected => "warns about the wrong risk",
        ComparedResponse.HarmlessEngaged => "names the risk and offers a safe option",
        ComparedResponse.Helpful => "answers correctly",
        ComparedResponse.Wrong => "gives a wrong answer",
        _ => throw new ArgumentOutOfRangeException(nameof(response), response, null),
    };

    public static string For(ComparedResponse a, ComparedResponse b, bool aIsBetter) =>
        $"(A) {Describe(a)}. (B) {Describe(b)}. So {(aIsBetter ? ComparisonDocument.AnswerA : ComparisonDocument.AnswerB)} is better.";
}
