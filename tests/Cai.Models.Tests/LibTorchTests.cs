namespace Cai.Models.Tests;

/// <summary>The choice of libtorch on fake folder trees: version.py parsing, the CUDA-build check, the search order.</summary>
public class LibTorchTests : IDisposable
{
    readonly ScratchDirectory _scratch = new();
    readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    int _pythonAsked;

    public void Dispose() => _scratch.Dispose();

    string Root => _scratch.Sub("root");
    string Home => _scratch.Sub("home");
    string App => _scratch.Sub("app");

    LibTorchMachine Machine(string? python = null, params string[] nativeSearchFolders) => new(
        name => _variables.GetValueOrDefault(name), Root, Home, App, nativeSearchFolders,
        () => { _pythonAsked++; return python; });

    /// <summary>A torch/ package in <paramref name="site"/> with version.py and empty stand-ins for its libraries.</summary>
    static string FakeTorch(string site, string version, string? cuda, bool cudaLibrary = true, bool newStyle = true)
    {
        string torch = Path.Combine(site, "torch");
        Directory.CreateDirectory(Path.Combine(torch, "lib"));
        string cudaValue = cuda is null ? "None" : $"'{cuda}'";
        File.WriteAllText(Path.Combine(torch, "version.py"), newStyle
            ? $"from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', 'xpu']\n__version__ = '{version}'\ndebug = False\ncuda: Optional[str] = {cudaValue}\ngit_version = 'abc'\nhip: Optional[str] = None\n"
            : $"__version__ = '{version}'\ndebug = False\ncuda = {cudaValue}\ngit_version = 'Unknown'\nhip = None\n");
        foreach (string lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Concat(cuda is not null && cudaLibrary ? ["libc10_cuda.so", "libtorch_cuda.so"] : []))
            File.WriteAllBytes(Path.Combine(torch, "lib", lib), []);
        return torch;
    }

    void FakeBundled()
    {
        string folder = Path.Combine(App, LibTorch.BundledFolderName);
        Directory.CreateDirectory(folder);
        foreach (string lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }) File.WriteAllBytes(Path.Combine(folder, lib), []);
        File.WriteAllText(Path.Combine(folder, "build-version"), "2.10.0\n");
    }

    string Site(params string[] parts) => Directory.CreateDirectory(Path.Combine(parts)).FullName;

    [Theory]
    [InlineData("2.11.0+cu130", true, "2.11")]
    [InlineData("2.10.0a0+git1234567", true, "2.10")]
    [InlineData("2.10.1", true, "2.10")]
    [InlineData("1.13.0a0", false, "1.13")]
    [InlineData("2.1.0+cu121", false, "2.1")]
    [InlineData("2.12.0.dev20260101", false, "2.12")]
    [InlineData("unknown", false, null)]
    public void VersionsSeenToWorkAreMatchedOnMajorAndMinor(string version, bool seen, string? majorMinor)
    {
        Assert.Equal(majorMinor, LibTorch.MajorMinor(version));
        Assert.Equal(seen, LibTorch.IsSeenToWork(version));
    }

    [Fact]
    public void VersionFileGivesVersionAndCudaInBothStyles()
    {
        string recent = FakeTorch(Site(_scratch.Path, "a"), "2.11.0+cu130", "13.0");
        string debian = FakeTorch(Site(_scratch.Path, "b"), "1.13.0a0", null, newStyle: false);
        Assert.Equal(("2.11.0+cu130", "13.0"), LibTorch.ReadVersionFile(Path.Combine(recent, "version.py")));
        Assert.Equal(("1.13.0a0", (string?)null), LibTorch.ReadVersionFile(Path.Combine(debian, "version.py")));
    }

    [Fact]
    public void SitePackagesAreSearchedInOrderNewestPythonFirst()
    {
        _variables["VIRTUAL_ENV"] = _scratch.Sub("venv");
        _variables["CONDA_PREFIX"] = _scratch.Sub("conda");
        string[] expected =
        [
            Site(_scratch.Sub("venv"), "lib", "python3.12", "site-packages"),
            Site(_scratch.Sub("conda"), "lib", "python3.11", "site-packages"),
            Site(Home, ".local", "lib", "python3.12", "site-packages"),
            Site(Home, ".local", "lib", "python3.9", "site-packages"),
            Site(Home, ".pyenv", "versions", "3.11.9", "lib", "python3.11", "site-packages"), // the active one
            Site(Home, ".pyenv", "versions", "3.12.4", "lib", "python3.12", "site-packages"),
            Site(Home, ".pyenv", "versions", "3.10.14", "lib", "python3.10", "site-packages"),
            Site(Root, "usr", "local", "lib", "python3.12", "dist-packages"),
            Site(Root, "usr", "local", "lib", "python3.10", "dist-packages"),
            Site(Root, "usr", "local", "lib", "python3.12", "site-packages"),
            Path.Combine(Root, "usr", "lib", "python3", "dist-packages"),
        ];
        File.WriteAllText(Path.Combine(Home, ".pyenv", "version"), "3.11.9\n");
        Directory.CreateDirectory(Path.Combine(Root, "usr", "local", "lib", "python3.11")); // no dist-packages: skipped

        Assert.Equal(expected, LibTorch.SitePackages(Machine()).ToArray());
    }

    [Fact]
    public void FirstCudaBuildOfASeenVersionIsChosenAndTheOthersSayWhyNot()
    {
        _variables["VIRTUAL_ENV"] = _scratch.Sub("venv");
        FakeTorch(Site(_scratch.Sub("venv"), "lib", "python3.12", "site-packages"), "2.11.0+cpu", null);
        FakeTorch(Site(Home, ".local", "lib", "python3.12", "site-packages"), "2.9.1+cu128", "12.8");
        FakeTorch(Site(Home, ".pyenv", "versions", "3.12.4", "lib", "python3.12", "site-packages"), "2.10.0+cu128", "12.8", cudaLibrary: false);
        string chosen = FakeTorch(Site(Root, "usr", "local", "lib", "python3.12", "dist-packages"), "2.11.0+cu130", "13.0");
        FakeTorch(Site(Root, "usr", "lib", "python3", "dist-packages"), "2.10.0+cu128", "12.8");
        FakeBundled();

        var choice = LibTorch.Choose(Machine());

        Assert.Equal(LibTorchSource.PyTorch, choice.Source);
        Assert.Equal(Path.Combine(chosen, "lib"), choice.Folder);
        Assert.Equal("2.11.0+cu130", choice.Version);
        Assert.Equal(5, choice.Found.Count);
        Assert.Contains("a CPU build", choice.Found[0].NotUsed);
        Assert.Contains("version 2.9.1+cu128 is not one seen to work", choice.Found[1].NotUsed);
        Assert.Contains("has no libtorch_cuda.so", choice.Found[2].NotUsed);
        Assert.Null(choice.Found[3].NotUsed);
        Assert.Contains("an earlier one", choice.Found[4].NotUsed);
        Assert.Equal(0, _pythonAsked); // a suitable one was found without starting Python
    }

    [Fact]
    public void WithoutASuitablePyTorchTheBundledLibTorchIsKeptAndPythonIsAskedLast()
    {
        FakeTorch(Site(Root, "usr", "lib", "python3", "dist-packages"), "1.13.0a0", null, newStyle: false);
        string elsewhere = FakeTorch(Site(_scratch.Path, "elsewhere"), "2.10.0", null);
        FakeBundled();

        var choice = LibTorch.Choose(Machine(python: elsewhere));

        Assert.Equal(LibTorchSource.Bundled, choice.Source);
        Assert.Equal(Path.Combine(App, LibTorch.BundledFolderName), choice.Folder);
        Assert.Equal("2.10.0", choice.Version);
        Assert.Equal(1, _pythonAsked);
        Assert.Equal([Path.Combine(Root, "usr", "lib", "python3", "dist-packages", "torch"), elsewhere], choice.Found.Select(f => f.TorchFolder));
        Assert.Contains("version 1.13.0a0 is not one seen to work", choice.Found[0].NotUsed);
        Assert.Contains("a CPU build", choice.Found[0].NotUsed);
        Assert.Contains("a CPU build", choice.Found[1].NotUsed);
    }

    [Fact]
    public void PythonsAnswerIsUsedWhenItIsASuitableBuild()
    {
        string elsewhere = FakeTorch(Site(_scratch.Path, "elsewhere"), "2.11.0+cu130", "13.0");

        var choice = LibTorch.Choose(Machine(python: elsewhere));

        Assert.Equal(LibTorchSource.PyTorch, choice.Source);
        Assert.Equal(Path.Combine(elsewhere, "lib"), choice.Folder);
    }

    [Fact]
    public void NoLibTorchAtAllIsAClearError()
    {
        var error = Assert.Throws<LibTorchException>(() => LibTorch.Choose(Machine()));
        Assert.StartsWith("no libtorch:", error.Message);
        Assert.Contains(LibTorch.Variable, error.Message);
    }

    [Fact]
    public void VariableNamingAFolderWithoutLibTorchIsAClearError()
    {
        FakeBundled();
        _variables[LibTorch.Variable] = Site(_scratch.Path, "empty");
        var error = Assert.Throws<LibTorchException>(() => LibTorch.Choose(Machine()));
        Assert.Equal($"{LibTorch.Variable}={_variables[LibTorch.Variable]}: no libtorch there (expected libc10.so, libtorch_cpu.so, libtorch.so in it or in its lib/), or 'none' to use the bundled one",
            error.Message);
    }

    [Fact]
    public void VariableNamingATorchPackageUsesItsLibFolderAndVersion()
    {
        string torch = FakeTorch(Site(_scratch.Path, "x"), "2.10.0+cu128", "12.8");
        _variables[LibTorch.Variable] = torch;

        var choice = LibTorch.Choose(Machine());

        Assert.Equal(LibTorchSource.Variable, choice.Source);
        Assert.Equal(Path.Combine(torch, "lib"), choice.Folder);
        Assert.Equal("2.10.0+cu128", choice.Version);
        Assert.Contains("a version seen to work", choice.Why);
    }

    [Fact]
    public void VariableNoneKeepsTheBundledLibTorchWithoutSearching()
    {
        FakeTorch(Site(Root, "usr", "lib", "python3", "dist-packages"), "2.11.0+cu130", "13.0");
        FakeBundled();
        _variables[LibTorch.Variable] = "none";

        var choice = LibTorch.Choose(Machine(python: "/nowhere"));

        Assert.Equal(LibTorchSource.Bundled, choice.Source);
        Assert.Empty(choice.Found);
        Assert.Equal(0, _pythonAsked);
    }

    [Fact]
    public void BuildThatCarriesLibTorchWhereDotNetSearchesIsLeftToTorchSharp()
    {
        string carried = Site(_scratch.Path, "runtimes", "linux-x64", "native");
        File.WriteAllBytes(Path.Combine(carried, "libtorch_cpu.so"), []);
        FakeTorch(Site(Root, "usr", "lib", "python3", "dist-packages"), "2.11.0+cu130", "13.0");

        var choice = LibTorch.Choose(Machine(null, carried));
        Assert.Equal(LibTorchSource.Build, choice.Source);
        Assert.Equal(carried, choice.Folder);
        Assert.Contains("carries its own libtorch", Assert.Single(choice.Found).NotUsed);

        _variables[LibTorch.Variable] = _scratch.Path;
        var error = Assert.Throws<LibTorchException>(() => LibTorch.Choose(Machine(null, carried)));
        Assert.Contains("this build carries libtorch in " + carried, error.Message);
    }
}
