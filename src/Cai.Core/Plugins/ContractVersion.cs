using System.Reflection;
using Cai.Abstractions.Feedback;

namespace Cai.Core.Plugins;

/// <summary>
/// The plugin contract's version: Cai.Abstractions' assembly version, and the oldest one a plugin may be built against.
/// A plugin built against an older contract, or one that misses a member of this one, is refused with one line naming
/// the plugin and both versions.
/// </summary>
public static class ContractVersion
{
    /// <summary>The oldest Cai.Abstractions a plugin may be built against: 0.2.0 brought conversations (Role.User, the
    /// renamed Human, and Role.System; ITextModel.ChatAsync).</summary>
    public static readonly Version Minimum = new(0, 2, 0, 0);

    /// <summary>The host's contract: the assembly version of the Cai.Abstractions it runs with.</summary>
    public static Version Current { get; } = typeof(ICritic).Assembly.GetName().Version!;

    /// <summary>The Cai.Abstractions version <paramref name="assembly"/> was built against, or null when it does not
    /// reference it.</summary>
    public static Version? BuiltAgainst(Assembly assembly) =>
        assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == typeof(ICritic).Assembly.GetName().Name)?.Version;

    /// <summary>Why a plugin built against <paramref name="builtAgainst"/> cannot load, or null when it can.</summary>
    public static string? Refusal(Version? builtAgainst) =>
        builtAgainst is not null && builtAgainst < Minimum ? Mismatch(builtAgainst) : null;

    /// <summary>The message naming both versions: built against <paramref name="builtAgainst"/>, hosted by <see cref="Current"/>.</summary>
    public static string Mismatch(Version? builtAgainst, string? detail = null) =>
        $"built against Cai.Abstractions {Show(builtAgainst)} but this host's contract is {Show(Current)} (plugins need "
        + $"{Show(Minimum)} or newer){(detail is null ? "" : $": {detail}")}; rebuild it against CaiFramework.Abstractions {Show(Current)}";

    /// <summary>Throws <see cref="Abstractions.Plugins.PluginException"/> when <paramref name="assembly"/> (the plugin file
    /// <paramref name="path"/>) was built against a contract older than <see cref="Minimum"/>.</summary>
    public static void Check(Assembly assembly, string path)
    {
        if (Refusal(BuiltAgainst(assembly)) is { } refusal)
            throw new Abstractions.Plugins.PluginException(Path.GetFileName(path), null, refusal);
    }

    static string Show(Version? version) => version is null ? "(none)" : version.ToString(3);
}
