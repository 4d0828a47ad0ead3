using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Finds the feedback model a judge calls.</summary>
public static class FeedbackModel
{
    /// <summary>The role judges use by default.</summary>
    public const string Role = "feedback";

    /// <summary>The model of <paramref name="role"/>; a recipe without a "feedback" role lets the policy judge itself.</summary>
    public static ITextModel Resolve(PluginContext context, string role) =>
        role == Role && !context.Models.ContainsKey(Role) && context.Models.TryGetValue("policy", out var policy)
            ? policy
            : context.GetModel(role);

    /// <summary>The feedback roles the recipe gives, "feedback", "feedback.1", ... in order; ["policy"] when none.</summary>
    public static IReadOnlyList<string> Roles(PluginContext context)
    {
        var roles = new List<string>();
        if (context.Models.ContainsKey(Role)) roles.Add(Role);
        for (int i = 1; context.Models.ContainsKey($"{Role}.{i}"); i++) roles.Add($"{Role}.{i}");
        return roles.Count > 0 ? roles : ["policy"];
    }
}
