using Cai.Abstractions.Text;
using Cai.Models.Tokenization;

namespace Cai.Core.Pipeline;

/// <summary>
/// The checkpoints of each model role and their loaded text models. Training stages move a role to a new checkpoint
/// (the policy after SFT, PPO or DPO; the reward model after reward training); each path is loaded once.
/// </summary>
public sealed class ModelRegistry(IReadOnlyDictionary<string, IReadOnlyList<string>> roles, Func<string, ITextModel> load) : IDisposable
{
    readonly Dictionary<string, IReadOnlyList<string>> _paths = new(roles);
    readonly Dictionary<string, ITextModel> _loaded = new(StringComparer.Ordinal);

    /// <summary>A recipe's models, each checkpoint loaded by <paramref name="factory"/> with the chat format the recipe
    /// chose for it (<see cref="Recipes.ResolvedRecipe.ChatFormatOf"/>).</summary>
    public static ModelRegistry For(Recipes.ResolvedRecipe recipe, ModelFactory factory) =>
        new(recipe.Models, path => factory.LoadTextModel(path, recipe.ChatFormatOf(path)));

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Roles => _paths;

    public bool Has(string role) => _paths.ContainsKey(role);

    public string PathOf(string role) =>
        _paths.TryGetValue(role, out var members) && members.Count > 0
            ? members[0]
            : throw new KeyNotFoundException($"the recipe's models: has no '{role}' (has: {string.Join(", ", _paths.Keys.Order())})");

    public ITextModel Get(string role) => Load(PathOf(role));

    /// <summary>Every member of a role (several for an ensemble of feedback models).</summary>
    public IReadOnlyList<ITextModel> Members(string role) => _paths[role].Select(Load).ToList();

    /// <summary>The models handed to plugins: each role's first member, and "role.N" for further ensemble members.</summary>
    public IReadOnlyDictionary<string, ITextModel> ForPlugins()
    {
        var models = new Dictionary<string, ITextModel>(StringComparer.Ordinal);
        foreach (var (role, members) in _paths)
            for (int i = 0; i < members.Count; i++)
                if (TryLoadTextModel(members[i]) is { } model) models[i == 0 ? role : $"{role}.{i}"] = model;
        return models;
    }

    /// <summary>Moves <paramref name="role"/> to a new checkpoint; a loaded model no role uses any more is released (device memory).</summary>
    public void Replace(string role, string checkpoint)
    {
        _paths[role] = [checkpoint];
        var used = _paths.Values.SelectMany(members => members).Select(Path.GetFullPath).ToHashSet();
        foreach (string path in _loaded.Keys.Where(p => !used.Contains(p)).ToList())
        {
            (_loaded[path] as IDisposable)?.Dispose();
            _loaded.Remove(path);
        }
    }

    public void Dispose()
    {
        foreach (var model in _loaded.Values) (model as IDisposable)?.Dispose();
        _loaded.Clear();
    }

    ITextModel Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!_loaded.TryGetValue(full, out var model)) _loaded[full] = model = load(full);
        return model;
    }

    // A reward model (…ForSequenceClassification) is no text model: plugins are given only the causal LMs.
    ITextModel? TryLoadTextModel(string path) => IsCausalLanguageModel(path) ? Load(path) : null;

    static bool IsCausalLanguageModel(string path)
    {
        string config = Path.Combine(path, "config.json");
        if (!File.Exists(config) || !TextTokenizer.Exists(path)) return false;
        var architectures = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))?["architectures"]?.AsArray();
        return architectures is null || architectures.Any(a => (string?)a is { } name && (name.EndsWith("ForCausalLM") || name.EndsWith("LMHeadModel")));
    }
}
