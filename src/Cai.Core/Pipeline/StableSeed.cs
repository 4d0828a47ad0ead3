using System.Security.Cryptography;
using System.Text;

namespace Cai.Core.Pipeline;

/// <summary>Seeds derived from the run seed and an item's identity, independent of order, batching and resume.</summary>
public static class StableSeed
{
    public static int Derive(long runSeed, params object[] parts)
    {
        string key = runSeed + "|" + string.Join("|", parts);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return BitConverter.ToInt32(hash, 0) & int.MaxValue;
    }
}
