namespace Homeroom.Classes;

/// <summary>
/// Splits the present students into groups whose sizes differ by at most one, honouring keep-together
/// and keep-apart constraints always (or saying which cannot be met), and, when asked, avoiding pairs
/// that worked together in recent groupings as far as the constraints allow.
/// <para>
/// By size s, the number of groups is round(n / s), at least 1, so "groups of 3" for 10 students gives
/// 4, 3, 3 rather than 3, 3, 2, 2. By count k, exactly k groups.
/// </para>
/// <para>
/// Method: students tied by keep-together become blocks; blocks are placed largest first, each into a
/// random group that has room and holds nobody it must be kept apart from (preferring the group with
/// the fewest recent pairs). A failed placement restarts with a new random order. To avoid recent pairs,
/// many valid groupings are tried and improved by swapping students between groups, and the one with the
/// fewest repeated pairs wins.
/// </para>
/// </summary>
public static class GroupMaker
{
    private const int Attempts = 400;
    private const int ImprovementAttempts = 12;

    public sealed record Request(int? Size, int? Count, IReadOnlyList<IReadOnlyList<long>> KeepTogether, IReadOnlyList<IReadOnlyList<long>> KeepApart);

    public sealed record Outcome(List<List<long>>? Groups, string? Problem, int RepeatedPairs)
    {
        public static Outcome Fail(string problem) => new(null, problem, 0);
    }

    public static int GroupCount(int students, int? size, int? count) =>
        count ?? Math.Max(1, (int)Math.Round(students / (double)size!.Value, MidpointRounding.AwayFromZero));

    public static Outcome Make(IReadOnlyList<long> present, Request request, IReadOnlySet<(long, long)> recentPairs, IRandomSource random, Func<long, string> nameOf)
    {
        ArgumentNullException.ThrowIfNull(present);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(recentPairs);
        ArgumentNullException.ThrowIfNull(nameOf);
        var n = present.Count;
        var k = GroupCount(n, request.Size, request.Count);
        if (k > n)
        {
            return Outcome.Fail($"{k} groups need at least {k} present students; {n} are present.");
        }

        var capacities = Enumerable.Range(0, k).Select(g => (n / k) + (g < n % k ? 1 : 0)).ToArray();
        var largest = capacities[0];

        // Keep-together lists become blocks (a union of overlapping lists).
        var presentSet = present.ToHashSet();
        var parent = present.ToDictionary(id => id, id => id);
        long Find(long id) => parent[id] == id ? id : parent[id] = Find(parent[id]);
        foreach (var list in request.KeepTogether)
        {
            var members = list.Where(presentSet.Contains).Distinct().ToList();
            for (var i = 1; i < members.Count; i++)
            {
                parent[Find(members[i])] = Find(members[0]);
            }
        }

        var blocks = present.GroupBy(Find).Select(g => g.ToList()).ToList();
        var oversized = blocks.FirstOrDefault(b => b.Count > largest);
        if (oversized is not null)
        {
            return Outcome.Fail($"{oversized.Count} students must be kept together ({Names(oversized, nameOf)}), but groups hold at most {largest} (keepTogether).");
        }

        var blockOf = blocks.SelectMany((block, index) => block.Select(id => (id, index))).ToDictionary(x => x.id, x => x.index);
        var apart = new HashSet<(int, int)>();
        foreach (var list in request.KeepApart)
        {
            var members = list.Where(presentSet.Contains).Distinct().ToList();
            if (members.Count > k)
            {
                return Outcome.Fail($"{members.Count} students must be kept apart ({Names(members, nameOf)}), but there are only {k} groups (keepApart).");
            }

            foreach (var a in members)
            {
                foreach (var b in members.Where(b => b != a))
                {
                    if (blockOf[a] == blockOf[b])
                    {
                        return Outcome.Fail($"{nameOf(a)} and {nameOf(b)} are both kept together and kept apart (keepTogether, keepApart).");
                    }

                    apart.Add((blockOf[a], blockOf[b]));
                }
            }
        }

        Outcome? best = null;
        var tries = recentPairs.Count > 0 ? ImprovementAttempts : 1;
        for (var t = 0; t < tries; t++)
        {
            var placed = Place(blocks, capacities, apart, recentPairs, random);
            if (placed is null)
            {
                continue;
            }

            if (recentPairs.Count > 0)
            {
                Improve(placed, blocks, apart, recentPairs, random);
            }

            var groups = placed.Select(g => g.SelectMany(b => blocks[b]).ToList()).ToList();
            var repeated = groups.Sum(g => RepeatedPairs(g, recentPairs));
            if (best is null || repeated < best.RepeatedPairs)
            {
                best = new Outcome(groups, null, repeated);
            }

            if (repeated == 0)
            {
                break;
            }
        }

        return best ?? Outcome.Fail("No grouping at these sizes keeps everyone together and apart as asked; loosen one of the rules (keepTogether, keepApart).");
    }

    public static int RepeatedPairs(IReadOnlyList<long> group, IReadOnlySet<(long, long)> recentPairs)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(recentPairs);
        var count = 0;
        for (var i = 0; i < group.Count; i++)
        {
            for (var j = i + 1; j < group.Count; j++)
            {
                count += recentPairs.Contains(Pair(group[i], group[j])) ? 1 : 0;
            }
        }

        return count;
    }

    public static (long, long) Pair(long a, long b) => a < b ? (a, b) : (b, a);

    /// <summary>Places blocks largest first into random groups with room; null when an attempt dead-ends every time.</summary>
    private static List<List<int>>? Place(List<List<long>> blocks, int[] capacities, HashSet<(int, int)> apart, IReadOnlySet<(long, long)> recentPairs, IRandomSource random)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var order = Enumerable.Range(0, blocks.Count).ToList();
            random.Shuffle(order);
            order = [.. order.OrderByDescending(b => blocks[b].Count)];
            var groups = capacities.Select(_ => new List<int>()).ToList();
            var room = capacities.ToArray();
            var failed = false;
            foreach (var block in order)
            {
                var fits = Enumerable.Range(0, groups.Count)
                    .Where(g => room[g] >= blocks[block].Count && groups[g].All(other => !apart.Contains((block, other))))
                    .ToList();
                if (fits.Count == 0)
                {
                    failed = true;
                    break;
                }

                random.Shuffle(fits);
                var chosen = recentPairs.Count == 0
                    ? fits[0]
                    : fits.MinBy(g => groups[g].Sum(other => blocks[other].Sum(a => blocks[block].Count(b => recentPairs.Contains(Pair(a, b))))));
                groups[chosen].Add(block);
                room[chosen] -= blocks[block].Count;
            }

            if (!failed && room.All(r => r == 0))
            {
                return groups;
            }
        }

        return null;
    }

    /// <summary>Swaps equal-sized blocks between groups while that lowers the number of repeated pairs.</summary>
    private static void Improve(List<List<int>> groups, List<List<long>> blocks, HashSet<(int, int)> apart, IReadOnlySet<(long, long)> recentPairs, IRandomSource random)
    {
        int Cost(List<int> group) => RepeatedPairs(group.SelectMany(b => blocks[b]).ToList(), recentPairs);
        bool Allowed(List<int> group, int block, int leaving) => group.All(other => other == leaving || !apart.Contains((block, other)));

        for (var step = 0; step < 2000; step++)
        {
            var g1 = (int)random.NextBelow(groups.Count);
            var g2 = (int)random.NextBelow(groups.Count);
            if (g1 == g2 || groups[g1].Count == 0 || groups[g2].Count == 0)
            {
                continue;
            }

            var i1 = (int)random.NextBelow(groups[g1].Count);
            var i2 = (int)random.NextBelow(groups[g2].Count);
            int b1 = groups[g1][i1], b2 = groups[g2][i2];
            if (blocks[b1].Count != blocks[b2].Count || !Allowed(groups[g2], b1, b2) || !Allowed(groups[g1], b2, b1))
            {
                continue;
            }

            var before = Cost(groups[g1]) + Cost(groups[g2]);
            groups[g1][i1] = b2;
            groups[g2][i2] = b1;
            if (Cost(groups[g1]) + Cost(groups[g2]) > before)
            {
                groups[g1][i1] = b1;
                groups[g2][i2] = b2;
            }
        }
    }

    private static string Names(IEnumerable<long> ids, Func<long, string> nameOf) => string.Join(", ", ids.Select(nameOf));
}
