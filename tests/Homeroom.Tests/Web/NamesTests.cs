using Homeroom.Web;

namespace Homeroom.Tests.Web;

/// <summary>Names: normalised for display, compared by a key that sees through look-alikes (Unicode TR39 skeleton).</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData("A\u200bnn", "Ann")] // zero-width space
    [InlineData("A\u200dnn", "Ann")] // zero-width joiner
    [InlineData("\u202eAnn\u202c", "Ann")] // right-to-left override
    [InlineData("\u2066Ann\u2069", "Ann")] // isolate
    [InlineData("Ann\u00ad", "Ann")] // soft hyphen
    [InlineData("\uff21nn", "Ann")] // fullwidth
    [InlineData("  Mary \t\u2003 Jane\u3000", "Mary Jane")]
    [InlineData("Zoe\u0308", "Zoë")] // composed
    [InlineData("\ufb01ona", "fiona")] // ligature
    [InlineData("\u3164", "")] // Hangul filler, invisible
    [InlineData("José", "José")]
    [InlineData("Дмитрий", "Дмитрий")]
    [InlineData("李雷", "李雷")]
    [InlineData("O'Brien-Smith", "O'Brien-Smith")]
    public void Normalize_keeps_what_can_be_seen_as_typed(string typed, string expected) =>
        Assert.Equal(expected, Names.Normalize(typed));

    [Theory]
    [InlineData("Ann", "\u0410nn")] // Cyrillic capital A
    [InlineData("Ann", "\u0430nn")] // Cyrillic small a
    [InlineData("Ann", "A\u200bnn")]
    [InlineData("Ann", "ANN")]
    [InlineData("Paypal", "Pаypаl")] // Cyrillic a twice
    [InlineData("Noel", "Noël")] // accents do not count, as in typed answers
    [InlineData("Ollie", "0llie")] // digit zero for O
    [InlineData("Bill", "Bi11")] // digit one for l
    [InlineData("Sam", "\u0405am")] // Cyrillic DZE
    public void Look_alikes_share_a_key(string name, string lookAlike) =>
        Assert.Equal(Names.Key(name), Names.Key(lookAlike));

    [Theory]
    [InlineData("Ann", "Anna")]
    [InlineData("Дмитрий", "Дарья")]
    [InlineData("李雷", "李雪")]
    [InlineData("Zoë", "Zoe Li")]
    public void Different_names_have_different_keys(string one, string other) =>
        Assert.NotEqual(Names.Key(one), Names.Key(other));

    [Fact]
    public void The_skeleton_follows_unicodes_confusables_data()
    {
        // From confusables.txt: U+0430 CYRILLIC SMALL LETTER A → U+0061; U+006D m → "rn"; U+FF21 → U+0041.
        Assert.Equal("a", Names.Skeleton("\u0430"));
        Assert.Equal("rn", Names.Skeleton("m"));
        Assert.Equal("A", Names.Skeleton("\uff21"));
        Assert.Equal(Names.Skeleton("rn"), Names.Skeleton("m"));
    }
}
