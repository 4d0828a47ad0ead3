namespace Cai.Models.Tokenization;

/// <summary>
/// GPT-2's reversible byte-to-character map (bytes_to_unicode): printable bytes map to themselves, the others to
/// code points from U+0100, so every byte sequence is a string of visible characters (space becomes 'Ġ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] _byteToChar = BuildByteToChar();

    /// <summary>The 256 alphabet characters, in byte order.</summary>
    public static IReadOnlyList<char> Characters => _byteToChar;

    /// <summary>The alphabet character of one byte.</summary>
    public static char ToChar(byte value) => _byteToChar[value];

    /// <summary>Maps UTF-8 bytes to their byte-level string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = _byteToChar[bytes[i]];
        return new string(chars);
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
