using System.Text;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// What a case's subscribers look for in their frames: every write of the case sets a task's title to
/// <c>{Prefix}{index}</c> (the warm-up writes to <c>{Prefix}warm</c>), so a frame names the write it carries. A
/// subscriber expects the writes of its group (the board it observes) that are marked expected; the shared counters
/// tell when every expected frame is in.
/// </summary>
internal sealed class FrameExpectations
{
    private long _matched;
    private long _warm;

    public FrameExpectations(string prefix, int[] writeGroups, bool[] expected)
    {
        Prefix = prefix;
        PrefixUtf8 = Encoding.UTF8.GetBytes(prefix);
        WriteGroups = writeGroups;
        Expected = expected;
    }

    public string Prefix { get; }

    public byte[] PrefixUtf8 { get; }

    /// <summary>Per write index, the group (board) it writes to.</summary>
    public int[] WriteGroups { get; }

    /// <summary>Per write index, whether its frame must reach every subscriber of its group (a burst expects only final states).</summary>
    public bool[] Expected { get; }

    public int Writes => WriteGroups.Length;

    public long Matched => Interlocked.Read(ref _matched);

    public long Warm => Interlocked.Read(ref _warm);

    public string Title(int write) => Prefix + write.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string WarmTitle => Prefix + "warm";

    public bool Expects(int group, int write) => Expected[write] && WriteGroups[write] == group;

    public void CountMatch() => Interlocked.Increment(ref _matched);

    public void CountWarm() => Interlocked.Increment(ref _warm);
}
