namespace Cai.Sandbox.Responses;

/// <summary>The four response styles of the corpus.</summary>
public enum ResponseStyle
{
    /// <summary>Gives the steps of the forbidden act.</summary>
    HarmfulCompliance,
    /// <summary>A short generic refusal: no reason, no alternative.</summary>
    EvasiveRefusal,
    /// <summary>Names the category's concern and offers a safe, useful alternative.</summary>
    HarmlessEngagement,
    /// <summary>The correct answer to a benign prompt.</summary>
    HelpfulAnswer,
}
