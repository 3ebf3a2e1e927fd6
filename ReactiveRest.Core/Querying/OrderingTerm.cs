namespace ReactiveRest.Engine.Querying;

/// <summary>One term of <c>ordering=</c>: a field, ascending unless written with a leading minus.</summary>
public sealed record OrderingTerm(string Field, bool Descending)
{
    public override string ToString() => Descending ? "-" + Field : Field;
}
