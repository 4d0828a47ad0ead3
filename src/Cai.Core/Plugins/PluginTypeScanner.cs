using System.Reflection;
using Cai.Abstractions.Plugins;

namespace Cai.Core.Plugins;

/// <summary>Finds the <see cref="CaiPluginAttribute"/> classes of an assembly and checks their shape.</summary>
public static class PluginTypeScanner
{
    public static IReadOnlyList<PluginDescriptor> Scan(Assembly assembly, PluginAssembly owner)
    {
        Type[] types;
        try { types = assembly.GetExportedTypes(); }
        catch (Exception e) when (e is ReflectionTypeLoadException or TypeLoadException or MissingMemberException)
        {
            // A type or member of the contract it was built against is missing from this host's.
            throw new PluginException(Path.GetFileName(owner.Path), null,
                ContractVersion.Mismatch(ContractVersion.BuiltAgainst(assembly), $"{FirstLoaderMessage(e)} (in {owner.Path})"), e);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException)
        {
            throw new PluginException(Path.GetFileName(owner.Path), null, $"cannot load the types of {owner.Path}: {e.Message}", e);
        }
        var found = new List<PluginDescriptor>();
        foreach (var type in types)
        {
            if (type.GetCustomAttribute<CaiPluginAttribute>() is not { } attribute) continue;
            var kinds = PluginKinds.Contracts.Where(c => c.Contract.IsAssignableFrom(type)).Select(c => c.Kind).ToList();
            if (type.IsAbstract || kinds.Count != 1)
                throw new PluginException(attribute.Name, null,
                    $"{type.FullName} must be a concrete class implementing exactly one of ICritic, IReviser, IJudge, ITrainer");
            var options = OptionsTypeOf(type, attribute.Name);
            found.Add(new PluginDescriptor(attribute.Name, kinds[0], attribute.Description, type, options, owner)
                { Reads = attribute.Reads, Models = attribute.Models });
        }
        foreach (var duplicate in found.GroupBy(d => (d.Kind, d.Name)).Where(g => g.Count() > 1))
            throw new PluginException(duplicate.Key.Name, null, $"{owner.Path} defines two {duplicate.Key.Kind} plugins with this name");
        return found;
    }

    static string FirstLoaderMessage(Exception e) =>
        e is ReflectionTypeLoadException { LoaderExceptions: [{ } first, ..] } ? first.Message : e.Message;

    /// <summary>The constructor must be (PluginContext) or (PluginContext, TOptions : PluginOptions).</summary>
    static Type? OptionsTypeOf(Type type, string name)
    {
        var constructors = type.GetConstructors();
        if (constructors.Length == 1 && constructors[0].GetParameters() is var p && p.Length is 1 or 2
            && p[0].ParameterType == typeof(PluginContext)
            && (p.Length == 1 || typeof(PluginOptions).IsAssignableFrom(p[1].ParameterType)))
            return p.Length == 2 ? p[1].ParameterType : null;
        throw new PluginException(name, null,
            $"{type.FullName} needs one public constructor taking (PluginContext) or (PluginContext, an options record deriving from PluginOptions)");
    }
}
