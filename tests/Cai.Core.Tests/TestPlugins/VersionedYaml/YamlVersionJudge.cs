using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using TorchSharp;
using YamlDotNet.RepresentationModel;

namespace VersionedYaml;

public sealed record YamlVersionOptions : PluginOptions
{
    /// <summary>Logit added to (A).</summary>
    public double Bias { get; init; }
}

/// <summary>Parses each response A as YAML with its own YamlDotNet and answers sigmoid(bias) computed by TorchSharp.</summary>
[CaiPlugin("yaml-version", Description = "Test judge built against YamlDotNet 13.")]
public sealed class YamlVersionJudge(PluginContext context, YamlVersionOptions options) : IJudge
{
    public static string YamlDotNetVersion => typeof(YamlStream).Assembly.GetName().Version!.ToString();

    public static object MakeTensor() => torch.tensor(new float[] { 1, 2, 3 });

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<Preference> result = batch.Select(r =>
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(r.ResponseA));
            using var p = torch.sigmoid(torch.tensor(options.Bias));
            return new Preference(r.ItemId, p.item<double>(), $"YamlDotNet {YamlDotNetVersion}, seed {context.Seed}");
        }).ToList();
        return Task.FromResult(result);
    }
}

/// <summary>Fails on any response containing "boom".</summary>
[CaiPlugin("fragile")]
public sealed class FragileCritic(PluginContext context) : ICritic
{
    public Task<IReadOnlyList<Critique>> CritiqueAsync(IReadOnlyList<CritiqueRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Any(r => r.Response.Contains("boom"))) throw new InvalidOperationException("cannot critique an explosion");
        IReadOnlyList<Critique> result = batch.Select(r => new Critique(r.ItemId, $"fine ({context.Provenance.PluginName})")).ToList();
        return Task.FromResult(result);
    }
}
