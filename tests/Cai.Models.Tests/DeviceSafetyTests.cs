using System.Text.RegularExpressions;

namespace Cai.Models.Tests;

/// <summary>Source scans for what breaks or slows generation on a GPU.</summary>
public class DeviceSafetyTests
{
    private static string Root => ReferenceLlamaTests.RepositoryRoot();

    private static IEnumerable<(string Path, string Text)> Sources(params string[] folders) =>
        folders.SelectMany(f => Directory.EnumerateFiles(Path.Combine(Root, f), "*.cs", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(p => (Path.GetRelativePath(Root, p).Replace('\\', '/'), File.ReadAllText(p)));

    /// <summary>
    /// TorchSharp 0.107's Generator is always a CPU generator, so passing one to an operation on a CUDA tensor throws.
    /// Only these files make one, and each draws on a CPU tensor that it then copies to the model's device.
    /// </summary>
    private static readonly string[] _cpuOnlyGeneratorFiles =
    [
        "src/Cai.Models/Modeling/RewardModel.cs",                  // score head: drawn on CPU, copied (InitializeScore)
        "plugins/Cai.Plugins.Training/Ppo/PolicyWithValueHead.cs", // value head: drawn on CPU, copied
    ];

    [Fact]
    public void TorchGeneratorsAreMadeOnlyWhereTheyDrawOnTheCpu()
    {
        var makers = Sources("src", "plugins").Where(s => Regex.IsMatch(s.Text, @"new\s+(torch\.)?Generator\s*\(")).Select(s => s.Path).Order().ToList();
        Assert.Equal(_cpuOnlyGeneratorFiles.Order(), makers);
        foreach (var (path, text) in Sources("src", "plugins").Where(s => _cpuOnlyGeneratorFiles.Contains(s.Path)))
        {
            // The generator is a CPU one, and what it fills is a tensor made on the CPU.
            Assert.All(Regex.Matches(text, @"new\s+Generator\s*\(([^;]*)\)").Select(m => m.Groups[1].Value), args => Assert.Contains("CPU", args));
            Assert.All(Regex.Matches(text, @"([^\n]*)\.normal_\([^\n]*generator\)").Select(m => m.Groups[1].Value), line => Assert.Contains("CPU)", line));
        }
        // Nothing in generation samples with a torch generator.
        Assert.DoesNotContain(Sources("src/Cai.Models/Generation"), s => Regex.IsMatch(s.Text, @"multinomial\s*\(|Generator\?|\bGenerator\s+\w+\s*[,)=]"));
    }

    /// <summary>The decode path reads the device only through <see cref="Generation.HostTransfers"/> (each read waits for the GPU).</summary>
    [Fact]
    public void TheDecodePathReadsTheDeviceOnlyThroughHostTransfers()
    {
        string[] decodePath =
        [
            "src/Cai.Models/Generation/DecodeBatch.cs", "src/Cai.Models/Generation/Sampler.cs", "src/Cai.Models/Generation/SamplingSeeds.cs",
            "src/Cai.Models/Generation/StopStrings.cs", "src/Cai.Models/Modeling/AttentionContext.cs", "src/Cai.Models/Modeling/Attention.cs",
            "src/Cai.Models/Modeling/KeyValueCache.cs", "src/Cai.Models/Modeling/TokenEmbedding.cs", "src/Cai.Models/Modeling/LanguageModelHead.cs",
        ];
        var files = Sources("src/Cai.Models").Where(s => decodePath.Contains(s.Path) || s.Path.Contains("/Modeling/Llama/") || s.Path.Contains("/Modeling/Gpt2/")).ToList();
        Assert.Equal(decodePath.Length, files.Count(f => decodePath.Contains(f.Path)));
        var reads = new Regex(@"\.(cpu|item|data|ToInt64|ToInt32|ToDouble|ToSingle|ToBoolean|tolist)\s*[<(]|\.all\(\)");
        Assert.All(files, f => Assert.False(reads.IsMatch(f.Text), $"{f.Path} reads a tensor back to the host: {reads.Match(f.Text).Value}"));
        Assert.Contains(".cpu()", File.ReadAllText(Path.Combine(Root, "src/Cai.Models/Generation/HostTransfers.cs")));
    }
}
