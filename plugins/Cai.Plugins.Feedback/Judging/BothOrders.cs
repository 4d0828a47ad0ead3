namespace Cai.Plugins.Feedback.Judging;

/// <summary>
/// Cancels position bias: the judge sees the pair as (A)=A,(B)=B and again swapped as (A)=B,(B)=A.
/// In the swapped order the probability of answer "(A)" is the probability of B, so P(A) there is 1 − p.
/// </summary>
public static class BothOrders
{
    /// <summary>P(A) = (pFirstInOriginal + (1 − pFirstInSwapped)) / 2.</summary>
    /// <param name="pFirstInOriginal">P("(A)") when A is shown first.</param>
    /// <param name="pFirstInSwapped">P("(A)") when B is shown first.</param>
    public static double Average(double pFirstInOriginal, double pFirstInSwapped) =>
        0.5 * (pFirstInOriginal + (1.0 - pFirstInSwapped));

    /// <summary><see cref="Average(double, double)"/> for each item of a batch.</summary>
    public static double[] Average(ReadOnlySpan<double> pFirstInOriginal, ReadOnlySpan<double> pFirstInSwapped)
    {
        if (pFirstInOriginal.Length != pFirstInSwapped.Length)
            throw new ArgumentException($"Got {pFirstInOriginal.Length} original-order labels but {pFirstInSwapped.Length} swapped.");
        var result = new double[pFirstInOriginal.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = Average(pFirstInOriginal[i], pFirstInSwapped[i]);
        return result;
    }
}
