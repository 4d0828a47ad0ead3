using Cai.Abstractions.Constitution;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;

namespace Cai.Core.Constitutions;

/// <summary>Reads constitution YAML files strictly.</summary>
public static class ConstitutionLoader
{
    /// <summary>Loads a constitution; throws <see cref="InputException"/> listing every problem.</summary>
    public static ConstitutionDocument Load(string path)
    {
        var source = new YamlSource();
        var root = source.Load(path);
        var binder = new YamlBinder(source);
        var file = binder.Bind<ConstitutionFile>(root);
        binder.ThrowIfAny();
        return file!.ToDocument();
    }
}
