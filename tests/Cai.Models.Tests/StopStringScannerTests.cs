using Cai.Models.Generation;

namespace Cai.Models.Tests;

public class StopStringScannerTests
{
    [Theory]
    [InlineData("Hello world, héllo thère. Human: what is this?", "Human:")]
    [InlineData("Assistant: it is a test of the modèl.\n\nHuman: ok", "\n\nHuman")]
    [InlineData("ééé€€ a test", "€ a")]
    [InlineData("no stop string in this text at all", "zebra")]
    [InlineData("the stop is the first character", "t")]
    public void FindsAStopStringAtTheTokenWhereTheWholeTextFirstHasIt(string text, string stop)
    {
        var tokenizer = TinyModels.Tokenizer();
        var tokens = tokenizer.Encode(text, addSpecialTokens: false);
        Assert.True(tokens.Count > 5);
        var scanner = new StopStringScanner(tokenizer, ["never there", stop]);
        int found = -1, at = -1;
        for (int n = 1; n <= tokens.Count && found < 0; n++)
        {
            at = scanner.Scan(tokens.Take(n).ToList());
            if (at >= 0) found = n;
        }
        // The reference: decode the whole output after every token.
        int expected = Enumerable.Range(1, tokens.Count).FirstOrDefault(n => tokenizer.Decode(tokens.Take(n)).Contains(stop, StringComparison.Ordinal), -1);
        Assert.Equal(expected, found);
        if (expected > 0) Assert.Equal(tokenizer.Decode(tokens.Take(expected)).IndexOf(stop, StringComparison.Ordinal), at);
        else Assert.Equal(text, scanner.Text);
    }

    [Fact]
    public void WithoutStopStringsItDecodesIncrementally()
    {
        var tokenizer = TinyModels.Tokenizer();
        const string text = "Hello wörld, héllo thère. Human: what is this?";
        var tokens = tokenizer.Encode(text, addSpecialTokens: false);
        var scanner = new StopStringScanner(tokenizer, []);
        Assert.Equal(0, scanner.Overlap);
        for (int n = 1; n <= tokens.Count; n++)
        {
            Assert.Equal(-1, scanner.Scan(tokens.Take(n).ToList()));
            Assert.StartsWith(scanner.Text, tokenizer.Decode(tokens.Take(n)));
            Assert.Equal(scanner.Text.Length, scanner.Length);
        }
        Assert.Equal(text, scanner.Text);
        Assert.Equal("wörld", scanner.Slice(6, 11));
        Assert.Equal(7, new StopStringScanner(tokenizer, ["x", "Human: a"]).Overlap);
    }
}
