using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Abstractions.Tests;

public class PluginContractTests
{
    static readonly Provenance _provenance = new("keyword", PluginKind.Judge, "1.0.0", new string('a', 64), null, 3);

    [Fact]
    public void MissingModelRoleNamesThePluginAndTheRolesGiven()
    {
        var context = new PluginContext(new Dictionary<string, ITextModel>(), new ConstitutionDocument("c", [], []), 3,
            NullLogger.Instance, _provenance);
        var error = Assert.Throws<KeyNotFoundException>(() => context.GetModel("feedback"));
        Assert.Equal("plugin 'keyword' needs a 'feedback' model; the recipe gives: ", error.Message);
    }

    [Fact]
    public void PluginExceptionNamesPluginAndItem()
    {
        Assert.Equal("plugin 'keyword', item 'p7': bad", new PluginException("keyword", "p7", "bad").Message);
        Assert.Equal("plugin 'keyword': bad", new PluginException("keyword", null, "bad").Message);
    }

    [Fact]
    public void PreferenceComplementsProbabilityAndConstitutionFindsPrinciples()
    {
        Assert.Equal(0.3, new Preference("x", 0.7).ProbabilityB, 12);
        var principle = new Principle("harm", "c", "r", "q");
        var constitution = new ConstitutionDocument("c", [principle], []);
        Assert.Same(principle, constitution.GetPrinciple("harm"));
        Assert.Throws<KeyNotFoundException>(() => constitution.GetPrinciple("nope"));
    }
}
