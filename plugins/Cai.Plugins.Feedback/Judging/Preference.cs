namespace Cai.Plugins.Feedback.Judging;

/// <summary>The hard decision behind a soft label.</summary>
public enum Preference
{
    B = -1,
    Tie = 0,
    A = 1,
}

/// <summary>Soft label to <see cref="Preference"/>.</summary>
public static class Preferences
{
    /// <summary>A when p &gt; 0.5, B when p &lt; 0.5, Tie at exactly 0.5.</summary>
    public static Preference FromProbability(double probabilityA) =>
        probabilityA > 0.5 ? Preference.A : probabilityA < 0.5 ? Preference.B : Preference.Tie;
}
