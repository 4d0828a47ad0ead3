using System.Security.Cryptography;

namespace Cai.Core.Plugins;

/// <summary>SHA-256 of files, lower-case hex, as pinned in recipes.</summary>
public static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
