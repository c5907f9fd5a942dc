using Homeroom.Classes;

namespace Homeroom.Tests.Classes;

/// <summary>The picker's and group maker's pure parts, without HTTP.</summary>
public sealed class LogicTests
{
    [Theory]
    [InlineData(3.841, 1, 0.05)]
    [InlineData(16.919, 9, 0.05)]
    [InlineData(27.877, 9, 0.001)]
    [InlineData(0.0, 5, 1.0)]
    [InlineData(124.342, 100, 0.05)]
    public void The_chi_square_tail_matches_published_tables(double x, int degrees, double p) =>
        Assert.Equal(p, Equity.UpperTailProbability(x, degrees), 3);

    [Fact]
    public void A_lopsided_spread_is_called_uneven()
    {
        var verdict = Equity.Judge([(20, 5.0), (0, 5.0), (0, 5.0), (0, 5.0)]);

        Assert.True(verdict.Judged);
        Assert.StartsWith("Uneven", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_calls_are_not_judged()
    {
        var verdict = Equity.Judge([(1, 0.5), (0, 0.5)]);

        Assert.False(verdict.Judged);
        Assert.Null(verdict.PValue);
    }

    [Fact]
    public void Weights_halve_with_every_extra_call()
    {
        Assert.Equal(2 * Picker.Weight(1, 0), Picker.Weight(0, 0));
        Assert.Equal(8 * Picker.Weight(3, 0), Picker.Weight(0, 0));
        Assert.Equal(Picker.Weight(100, 0), Picker.Weight(40, 0)); // capped, never zero
        Assert.True(Picker.Weight(100, 0) > 0);
    }

    [Fact]
    public void The_crypto_source_covers_its_range_evenly()
    {
        var source = new CryptoRandomSource();
        var counts = new int[6];
        for (var i = 0; i < 60_000; i++)
        {
            counts[source.NextBelow(6)]++;
        }

        var chiSquare = counts.Sum(c => (c - 10_000.0) * (c - 10_000.0) / 10_000.0);
        Assert.True(chiSquare < 20.52, $"chi-square {chiSquare}"); // 0.999 quantile, 5 degrees of freedom
        Assert.InRange(source.NextBelow(long.MaxValue), 0, long.MaxValue - 1);
    }

    [Fact]
    public void The_group_maker_honours_a_tight_keep_apart_set_at_every_seed()
    {
        var students = Enumerable.Range(1, 9).Select(i => (long)i).ToList();
        var apart = new List<IReadOnlyList<long>> { new long[] { 1, 2, 3 }, new long[] { 4, 5, 6 }, new long[] { 7, 8, 9 } };
        for (var seed = 0; seed < 50; seed++)
        {
            var outcome = GroupMaker.Make(students, new GroupMaker.Request(null, 3, [], apart), new HashSet<(long, long)>(), new SeededRandomSource(seed), id => $"S{id}");
            Assert.NotNull(outcome.Groups);
            Assert.All(outcome.Groups, g => Assert.Equal(3, g.Count));
            Assert.All(apart, list => Assert.Equal(3, list.Select(id => outcome.Groups.FindIndex(g => g.Contains(id))).Distinct().Count()));
        }
    }
}
