using Cai.Abstractions.Constitution;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Constitutions;

/// <summary>Reads constitution YAML files strictly.</summary>
public static class ConstitutionLoader
{
    /// <summary>Loads a constitution; throws <see cref="RecipeException"/> listing every problem.</summary>
    public static ConstitutionDocument Load(string path)
    {
        var source = new YamlSource();
        var root = source.Load(path);
        var binder = new YamlBinder(source);
        var file = binder.Bind<ConstitutionFile>(root);
        if (file is not null)
        {
            if (file.Principles.Count == 0) binder.Error(root, "a constitution needs at least one principle");
            foreach (var duplicate in file.Principles.GroupBy(p => p.Id).Where(g => g.Count() > 1))
                binder.Error(root, $"duplicate principle id '{duplicate.Key}'");
        }
        RecipeException.ThrowIfAny(binder.Errors);
        return file!.ToDocument();
    }
}
