using Cai.Abstractions.Text;
using Cai.Models.Tokenization;

namespace Cai.Core.Pipeline;

/// <summary>
/// The checkpoints of each model role and their loaded text models. Training stages move a role to a new checkpoint
/// (the policy after SFT, PPO or DPO; the reward model after reward training); each path is loaded once. Served models
/// (a <see cref="Recipes.RemoteModel.Id"/> in place of a path) are made once too; while a stage runs they cache their requests
/// in its folder (<see cref="BeginStage"/>) and their usage is the stage's (<see cref="EndStage"/>).
/// </summary>
public sealed class ModelRegistry(IReadOnlyDictionary<string, IReadOnlyList<string>> roles, Func<string, ITextModel> load) : IDisposable
{
    readonly Dictionary<string, IReadOnlyList<string>> _paths = new(roles);
    readonly Dictionary<string, ITextModel> _loaded = new(StringComparer.Ordinal);
    string? _stageDirectory;

    /// <summary>A recipe's models: served ones through <see cref="RemoteTextModel"/>, each checkpoint loaded by
    /// <paramref name="factory"/> with the chat format the recipe chose for it (<see cref="Recipes.ResolvedRecipe.ChatFormatOf"/>).</summary>
    public static ModelRegistry For(Recipes.ResolvedRecipe recipe, ModelFactory factory) =>
        new(recipe.Models, id => recipe.Remote.TryGetValue(id, out var remote)
            ? new RemoteTextModel(remote)
            : factory.LoadTextModel(id, recipe.ChatFormatOf(id)));

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
        var used = _paths.Values.SelectMany(members => members).Select(Key).ToHashSet();
        foreach (string path in _loaded.Keys.Where(p => !used.Contains(p)).ToList())
        {
            (_loaded[path] as IDisposable)?.Dispose();
            _loaded.Remove(path);
        }
    }

    /// <summary>Served models cache their requests under <paramref name="stageDirectory"/> until <see cref="EndStage"/>.</summary>
    public void BeginStage(string stageDirectory)
    {
        _stageDirectory = stageDirectory;
        foreach (var remote in _loaded.Values.OfType<RemoteTextModel>()) Attach(remote);
    }

    /// <summary>The served models' usage since <see cref="BeginStage"/> (none when the recipe has no served model).</summary>
    public RemoteUsage EndStage()
    {
        _stageDirectory = null;
        var usage = RemoteUsage.None;
        foreach (var remote in _loaded.Values.OfType<RemoteTextModel>())
        {
            remote.CacheDirectory = null;
            usage += remote.TakeUsage();
        }
        return usage;
    }

    void Attach(RemoteTextModel remote)
    {
        remote.CacheDirectory = _stageDirectory is null ? null : Path.Combine(_stageDirectory, RemoteTextModel.CacheFolder);
        remote.TakeUsage();
    }

    public void Dispose()
    {
        foreach (var model in _loaded.Values) (model as IDisposable)?.Dispose();
        _loaded.Clear();
    }

    ITextModel Load(string path)
    {
        string key = Key(path);
        if (!_loaded.TryGetValue(key, out var model))
        {
            _loaded[key] = model = load(key);
            if (model is RemoteTextModel remote) Attach(remote);
        }
        return model;
    }

    /// <summary>A checkpoint's full path, or a served model's id as it is.</summary>
    static string Key(string path) => Recipes.RemoteModel.IsId(path) ? path : Path.GetFullPath(path);

    // A reward model (…ForSequenceClassification) is no text model: plugins are given only the causal LMs.
    ITextModel? TryLoadTextModel(string path) => Recipes.RemoteModel.IsId(path) || IsCausalLanguageModel(path) ? Load(path) : null;

    static bool IsCausalLanguageModel(string path)
    {
        string config = Path.Combine(path, "config.json");
        if (!File.Exists(config) || !TextTokenizer.Exists(path)) return false;
        var architectures = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))?["architectures"]?.AsArray();
        return architectures is null || architectures.Any(a => (string?)a is { } name && (name.EndsWith("ForCausalLM") || name.EndsWith("LMHeadModel")));
    }
}
