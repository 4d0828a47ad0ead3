using System.Runtime.Loader;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using TorchSharp;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Tests.Plugins;

public sealed class PluginHostTests : IDisposable
{
    readonly string _temp = Directory.CreateTempSubdirectory("cai-plugins-").FullName;
    readonly ListLogger _logger = new();

    static ComparisonRequest Pair(string id, string a = "key: value") =>
        new(id, Conversation.FromPrompt("hi"), a, "other", PluginTestFiles.Constitution.Principles[0]);

    [Fact]
    public void APluginBuiltAgainstAnOlderContractIsRefusedInOneLineNamingBothVersions()
    {
        Assert.Equal(new Version(0, 3, 0, 0), ContractVersion.Current);
        Assert.True(ContractVersion.Current >= ContractVersion.Minimum);

        using var host = new PluginHost(_logger);
        string old = PluginTestFiles.Built("OldContract", "OldContract");
        var e = Assert.Throws<PluginException>(() => host.AddThirdParty(old, null, trustPlugins: true));
        Assert.Equal("plugin 'OldContract.dll': built against Cai.Abstractions 0.1.0 but this host's contract is 0.3.0 (plugins need 0.2.0 or "
            + "newer); rebuild it against CaiFramework.Abstractions 0.3.0", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // Plugins built now reference the host's contract and load.
        var current = host.AddThirdParty(PluginTestFiles.VersionedYaml, null, trustPlugins: true);
        Assert.Equal(ContractVersion.Current, ContractVersion.BuiltAgainst(current.Assembly));
        Assert.Null(ContractVersion.Refusal(ContractVersion.Current));
    }

    [Fact]
    public async Task PluginWithOlderYamlDotNetRunsBesideTheHostsNewerOne()
    {
        using var host = new PluginHost(_logger);
        var assembly = host.AddThirdParty(PluginTestFiles.VersionedYaml, FileHash.Sha256(PluginTestFiles.VersionedYaml), trustPlugins: false);
        using var judge = host.Create<IJudge>("yaml-version", PluginTestFiles.Activation(_logger));

        var preferences = await judge.CompareAsync([Pair("p1")], CancellationToken.None);

        Assert.StartsWith("18.", typeof(YamlStream).Assembly.GetName().Version!.ToString());
        Assert.Contains("YamlDotNet 13.", preferences[0].Rationale);
        Assert.Equal(0.5, preferences[0].ProbabilityA, 6); // sigmoid(0) computed by the plugin with the host's libtorch
        Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(assembly.Assembly));
    }

    [Fact]
    public void PluginTensorIsTheHostsTensorType()
    {
        using var host = new PluginHost(_logger);
        var assembly = host.AddThirdParty(PluginTestFiles.VersionedYaml, null, trustPlugins: true);
        var make = assembly.Assembly.GetType("VersionedYaml.YamlVersionJudge")!.GetMethod("MakeTensor")!;

        using var tensor = Assert.IsType<torch.Tensor>(make.Invoke(null, null));
        Assert.Equal(6f, tensor.sum().item<float>());
    }

    [Fact]
    public async Task ReplacedAssemblyTakesEffectAtTheNextBatchAndProvenanceShowsBothHashes()
    {
        string v1 = PluginTestFiles.Built("ReloadV1", "Reload"), v2 = PluginTestFiles.Built("ReloadV2", "Reload");
        string live = PluginTestFiles.CopyTo(v1, Path.Combine(_temp, "live"));
        using var host = new PluginHost(_logger);
        host.AddThirdParty(live, null, trustPlugins: true);
        using var judge = host.Create<IJudge>("reload", PluginTestFiles.Activation(_logger));

        var rows = new List<(double P, string Sha)>();
        for (int batch = 0; batch < 3; batch++)
        {
            judge.RefreshIfChanged(); // the batch boundary
            var preferences = await judge.CompareAsync([Pair($"b{batch}")], CancellationToken.None);
            rows.Add((preferences[0].ProbabilityA, judge.Provenance.AssemblySha256));
            if (batch == 0) File.Copy(v2, live, overwrite: true); // rebuilt while the stage runs
        }

        Assert.Equal([(0.25, FileHash.Sha256(v1)), (0.75, FileHash.Sha256(v2)), (0.75, FileHash.Sha256(v2))], rows);
        Assert.NotEqual(rows[0].Sha, rows[1].Sha);
        Assert.Contains(_logger.Messages, m => m.Contains("disposed reload judge answering 0.25"));
        Assert.Contains(_logger.Messages, m => m.Contains("reloaded") && m.Contains(rows[0].Sha) && m.Contains(rows[1].Sha));
    }

    [Fact]
    public async Task PinnedAssemblyDoesNotReloadABuildThatBreaksItsPin()
    {
        string v1 = PluginTestFiles.Built("ReloadV1", "Reload");
        string live = PluginTestFiles.CopyTo(v1, Path.Combine(_temp, "pinned"));
        using var host = new PluginHost(_logger);
        host.AddThirdParty(live, FileHash.Sha256(v1), trustPlugins: false);
        using var judge = host.Create<IJudge>("reload", PluginTestFiles.Activation(_logger));
        File.Copy(PluginTestFiles.Built("ReloadV2", "Reload"), live, overwrite: true);

        Assert.False(judge.RefreshIfChanged());
        Assert.Equal(0.25, (await judge.CompareAsync([Pair("x")], CancellationToken.None))[0].ProbabilityA);
        Assert.Contains(_logger.Messages, m => m.Contains("does not match its pin"));
    }

    [Fact]
    public async Task ExceptionInsidePluginNamesThePluginAndTheFailingItem()
    {
        using var host = new PluginHost(_logger);
        host.AddThirdParty(PluginTestFiles.VersionedYaml, null, trustPlugins: true);
        using var critic = host.Create<ICritic>("fragile", PluginTestFiles.Activation(_logger));
        var principle = PluginTestFiles.Constitution.Principles[0];
        CritiqueRequest Request(string id, string response) => new(id, Conversation.FromPrompt("q"), response, principle);

        var error = await Assert.ThrowsAsync<PluginException>(() =>
            critic.CritiqueAsync([Request("a", "calm"), Request("b", "boom"), Request("c", "calm")], CancellationToken.None));

        Assert.Equal("fragile", error.PluginName);
        Assert.Equal("b", error.ItemId);
        Assert.Equal("plugin 'fragile', item 'b': InvalidOperationException: cannot critique an explosion", error.Message);
    }

    [Fact]
    public void UnknownPluginNameListsTheKnownOnes()
    {
        using var host = new PluginHost(_logger);
        host.AddThirdParty(PluginTestFiles.VersionedYaml, null, trustPlugins: true);
        var error = Assert.Throws<PluginException>(() => host.Create<IJudge>("nope", PluginTestFiles.Activation(_logger)));
        Assert.Equal("plugin 'nope': no judge plugin named 'nope' (known: yaml-version)", error.Message);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
