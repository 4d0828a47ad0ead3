namespace Cai.Plugins.Training.Ppo;

/// <summary>Seeds derived from the run seed and the iteration (not HashCode, which differs between processes), so a
/// resumed run samples the same prompts, responses and minibatches as an uninterrupted one.</summary>
static class PpoSeeds
{
    public const int Prompts = 1, Generation = 2, Minibatches = 3;

    public static int For(long seed, int iteration, int purpose, int extra = 0)
    {
        unchecked
        {
            ulong x = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)iteration * 0xBF58476D1CE4E5B9UL
                ^ (ulong)purpose * 0x94D049BB133111EBUL ^ (ulong)extra * 0xD6E8FEB86659FD93UL;
            x ^= x >> 31;
            x *= 0x9E3779B97F4A7C15UL;
            x ^= x >> 29;
            return (int)(x & 0x7FFFFFFF);
        }
    }
}
