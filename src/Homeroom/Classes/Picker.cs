namespace Homeroom.Classes;

public enum PickMode
{
    Fair,
    Random,
    Weighted,
}

/// <summary>A present student the picker may draw, with how often they have been called in this class.</summary>
public sealed record Candidate(long StudentId, int Calls);

/// <summary>
/// The draws themselves; the pick endpoint supplies who is present and who has had a turn, inside one
/// transaction. Nothing is decided in advance (no stored order that could be edited): each draw happens
/// when the teacher presses Pick, from the random source.
/// <list type="bullet">
/// <item><b>fair</b>: uniform among the present students who have not had a turn this round.</item>
/// <item><b>random</b>: uniform among all present students; earlier turns do not matter.</item>
/// <item><b>weighted</b>: a student called c times has weight 2^-(c - m), m being the fewest calls
/// among those present: one call more than the least-called halves the chance, two quarter it, and so
/// on (capped at 2^-20). Students tied on calls are equally likely.</item>
/// </list>
/// Several students in one pick are drawn one after another without replacement.
/// </summary>
public static class Picker
{
    private const int MaxWeightShift = 20;

    /// <summary>Draws <paramref name="count"/> different students from <paramref name="pool"/>.</summary>
    public static List<long> Draw(PickMode mode, IReadOnlyList<Candidate> pool, int count, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, pool.Count);
        var left = pool.ToList();
        var drawn = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            var index = mode == PickMode.Weighted ? WeightedIndex(left, random) : (int)random.NextBelow(left.Count);
            drawn.Add(left[index].StudentId);
            left.RemoveAt(index);
        }

        return drawn;
    }

    public static long Weight(int calls, int fewestCalls) => 1L << (MaxWeightShift - Math.Min(calls - fewestCalls, MaxWeightShift));

    private static int WeightedIndex(List<Candidate> left, IRandomSource random)
    {
        var fewest = left.Min(c => c.Calls);
        var total = left.Sum(c => Weight(c.Calls, fewest));
        var ticket = random.NextBelow(total);
        for (var i = 0; i < left.Count; i++)
        {
            ticket -= Weight(left[i].Calls, fewest);
            if (ticket < 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("The weights did not add up.");
    }
}
