namespace Cai.Cli.Tests;

/// <summary>The build step of Directory.Build.targets patched this project's output copy and never the NuGet cache.</summary>
public class NativePatchTests
{
    const string Version = "GLIBCXX_3.4.32";

    static string OutputCopy() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();

    static string CacheCopy()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Directory.EnumerateFiles(Path.Combine(root, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories).First();
    }

    [Fact]
    public void OutputCopyIsWeakAndCacheCopyIsUntouched()
    {
        Assert.Equal(ElfVersionNeeds.State.Weak, ElfVersionNeeds.Inspect(OutputCopy(), Version));
        Assert.Equal(ElfVersionNeeds.State.Required, ElfVersionNeeds.Inspect(CacheCopy(), Version));
    }

    [Fact]
    public void PatchIsIdempotentAndNoOpWithoutTheRequirement()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"cai-elf-{Guid.NewGuid():N}.so");
        File.Copy(CacheCopy(), copy);
        try
        {
            Assert.True(ElfVersionNeeds.MakeWeak(copy, Version));
            byte[] once = File.ReadAllBytes(copy);
            Assert.False(ElfVersionNeeds.MakeWeak(copy, Version));
            Assert.Equal(once, File.ReadAllBytes(copy));
            Assert.Equal(ElfVersionNeeds.State.Absent, ElfVersionNeeds.Inspect(copy, "GLIBCXX_99.0"));
            Assert.False(ElfVersionNeeds.MakeWeak(copy, "GLIBCXX_99.0"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void RejectsFilesThatAreNotElf()
    {
        string text = Path.GetTempFileName();
        try
        {
            File.WriteAllText(text, new string('x', 100));
            Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Inspect(text, Version));
        }
        finally
        {
            File.Delete(text);
        }
    }
}
