namespace ReactiveRest.Engine.Querying;

/// <summary>One query as a member of a batch: its shape, and the values it does not share with the others.</summary>
/// <param name="Pin">The value of the shape's pinned field, of that field's type (<c>0</c> when the shape pins none).</param>
public sealed record BatchMember(BatchShape Shape, object Pin, string Principal);
