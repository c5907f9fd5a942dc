namespace Homeroom.Places;

/// <summary>
/// An immutable KD-tree over unit vectors (places on the sphere), built once by median splits along the
/// widest axis (quickselect, O(n log n)). <see cref="Nearest"/> walks it best-first: it yields entries in
/// increasing distance from the query point, ties broken by the entry's key (the place id), lazily, so the
/// caller can filter, stop at a radius or a count, or skip past a cursor without the tree knowing about
/// any of that. The order is total, so a (distance, key) cursor resumes exactly where a page ended.
/// </summary>
public sealed class SphereTree
{
    private const int LeafSize = 16;

    // A nearest-10 search holds a few leaves' points and nodes at once: sized so it rarely grows.
    private const int QueueCapacity = 128;
    private readonly double[] xs;
    private readonly double[] ys;
    private readonly double[] zs;
    private readonly int[] entries;
    private readonly long[] keys;
    private readonly List<Node> building = [];
    private readonly Node[] nodes;

    private readonly record struct Node(int Lo, int Hi, int Left, int Right, double MinX, double MinY, double MinZ, double MaxX, double MaxY, double MaxZ);

    /// <param name="points">The points; the tree yields their positions in this list.</param>
    /// <param name="tieKeys">Per point, what orders points at exactly the same distance (the place id).</param>
    public SphereTree(IReadOnlyList<(double X, double Y, double Z)> points, IReadOnlyList<long> tieKeys)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(tieKeys);
        var n = points.Count;
        xs = new double[n];
        ys = new double[n];
        zs = new double[n];
        entries = new int[n];
        keys = new long[n];
        for (var i = 0; i < n; i++)
        {
            (xs[i], ys[i], zs[i]) = points[i];
            entries[i] = i;
            keys[i] = tieKeys[i];
        }

        if (n > 0)
        {
            Build(0, n);
        }

        nodes = [.. building];
        building.Clear();
    }

    public int Count => entries.Length;

    /// <summary>Entries (positions in the input) with their squared chord distance, nearest first.</summary>
    public IEnumerable<(int Entry, double ChordSquared)> Nearest((double X, double Y, double Z) point)
    {
        if (entries.Length == 0)
        {
            yield break;
        }

        // Items: nodes (>= 0) and points (encoded as ~slot), ordered by (lower bound of) distance, then
        // key; a node sorts before any point at its bound, since it may hold a point of a smaller key there.
        var queue = new PriorityQueue<int, (double Distance, long Key)>(QueueCapacity);
        queue.Enqueue(0, (MinDistanceSquared(nodes[0], point), long.MinValue));
        while (queue.TryDequeue(out var item, out var priority))
        {
            if (item < 0)
            {
                yield return (entries[~item], priority.Distance);
                continue;
            }

            ref readonly var node = ref nodes[item];
            if (node.Left < 0)
            {
                for (var slot = node.Lo; slot < node.Hi; slot++)
                {
                    var dx = xs[slot] - point.X;
                    var dy = ys[slot] - point.Y;
                    var dz = zs[slot] - point.Z;
                    queue.Enqueue(~slot, ((dx * dx) + (dy * dy) + (dz * dz), keys[slot]));
                }

                continue;
            }

            queue.Enqueue(node.Left, (MinDistanceSquared(nodes[node.Left], point), long.MinValue));
            queue.Enqueue(node.Right, (MinDistanceSquared(nodes[node.Right], point), long.MinValue));
        }
    }

    private static double MinDistanceSquared(in Node node, (double X, double Y, double Z) p)
    {
        var dx = Math.Max(0, Math.Max(node.MinX - p.X, p.X - node.MaxX));
        var dy = Math.Max(0, Math.Max(node.MinY - p.Y, p.Y - node.MaxY));
        var dz = Math.Max(0, Math.Max(node.MinZ - p.Z, p.Z - node.MaxZ));
        return (dx * dx) + (dy * dy) + (dz * dz);
    }

    private int Build(int lo, int hi)
    {
        double minX = double.MaxValue, minY = double.MaxValue, minZ = double.MaxValue;
        double maxX = double.MinValue, maxY = double.MinValue, maxZ = double.MinValue;
        for (var i = lo; i < hi; i++)
        {
            minX = Math.Min(minX, xs[i]); maxX = Math.Max(maxX, xs[i]);
            minY = Math.Min(minY, ys[i]); maxY = Math.Max(maxY, ys[i]);
            minZ = Math.Min(minZ, zs[i]); maxZ = Math.Max(maxZ, zs[i]);
        }

        var index = building.Count;
        building.Add(new Node(lo, hi, -1, -1, minX, minY, minZ, maxX, maxY, maxZ));
        if (hi - lo <= LeafSize)
        {
            return index;
        }

        var axis = (maxX - minX) >= (maxY - minY) && (maxX - minX) >= (maxZ - minZ) ? 0 : (maxY - minY) >= (maxZ - minZ) ? 1 : 2;
        var mid = (lo + hi) / 2;
        Select(lo, hi - 1, mid, axis == 0 ? xs : axis == 1 ? ys : zs);
        var left = Build(lo, mid);
        var right = Build(mid, hi);
        building[index] = building[index] with { Left = left, Right = right };
        return index;
    }

    /// <summary>Quickselect: puts the k-th smallest (by <paramref name="keys"/>) at k, smaller before, larger after.</summary>
    private void Select(int left, int right, int k, double[] keys)
    {
        while (right > left)
        {
            // Median of three as the pivot keeps sorted or clustered input from going quadratic.
            var middle = left + ((right - left) / 2);
            if (keys[middle] < keys[left])
            {
                Swap(middle, left);
            }

            if (keys[right] < keys[left])
            {
                Swap(right, left);
            }

            if (keys[right] < keys[middle])
            {
                Swap(right, middle);
            }

            var pivot = keys[middle];
            int i = left, j = right;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }

                while (keys[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    Swap(i, j);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return;
            }
        }
    }

    private void Swap(int a, int b)
    {
        (keys[a], keys[b]) = (keys[b], keys[a]);
        (xs[a], xs[b]) = (xs[b], xs[a]);
        (ys[a], ys[b]) = (ys[b], ys[a]);
        (zs[a], zs[b]) = (zs[b], zs[a]);
        (entries[a], entries[b]) = (entries[b], entries[a]);
    }
}
