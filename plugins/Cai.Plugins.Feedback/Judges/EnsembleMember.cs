using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>One judge of an ensemble, named as it appears in rationales and logs, e.g. "multiple-choice@feedback.1".</summary>
public sealed record EnsembleMember(string Name, IJudge Judge) : IDisposable
{
    /// <summary>The members <paramref name="options"/> asks for: built-in model judges per model role, others from the host.</summary>
    public static IReadOnlyList<EnsembleMember> Create(PluginContext context, EnsembleJudgeOptions options)
    {
        if (options.Members.Count == 0) throw new ArgumentException("an ensemble needs at least one member judge");
        var roles = options.Models.Count > 0 ? options.Models : FeedbackModel.Roles(context);
        var members = new List<EnsembleMember>();
        try
        {
            foreach (string name in options.Members)
            {
                if (name == EnsembleJudge.Name) throw new ArgumentException("an ensemble cannot be its own member");
                if (name is MultipleChoice or ChainOfThought)
                    members.AddRange(roles.Select(role => BuiltIn(context, name, role)));
                else
                    members.Add(new EnsembleMember(name, context.ResolveJudge(name)));
            }
            return members;
        }
        catch
        {
            foreach (var member in members) member.Dispose();
            throw;
        }
    }

    /// <summary>Disposes judges the ensemble created through the host.</summary>
    public void Dispose()
    {
        if (Judge is IAsyncDisposable asyncDisposable) asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
        else (Judge as IDisposable)?.Dispose();
    }

    const string MultipleChoice = "multiple-choice";
    const string ChainOfThought = "chain-of-thought";

    static EnsembleMember BuiltIn(PluginContext context, string name, string role)
    {
        string memberName = $"{name}@{role}";
        // Its own provenance name gives each member its own sampling seed.
        var memberContext = new PluginContext(context.Models, context.Constitution, context.Seed, context.Logger,
            context.Provenance with { PluginName = $"{context.Provenance.PluginName}/{memberName}" });
        IJudge judge = name == MultipleChoice
            ? new MultipleChoiceJudge(memberContext, new MultipleChoiceJudgeOptions { Model = role })
            : new ChainOfThoughtJudge(memberContext, new ChainOfThoughtJudgeOptions { Model = role });
        return new EnsembleMember(memberName, judge);
    }
}
