namespace Cai.Sandbox.Tests;

/// <summary>Locates committed files of the repository from the test's output directory.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
        throw new InvalidOperationException("CaiFramework.sln not found above " + AppContext.BaseDirectory);
    }
}
