namespace ReactiveRest.Engine.Querying;

/// <summary>One query as a member of a batch: its shape, and the values it does not share with the others.</summary>
public sealed record BatchMember(BatchShape Shape, int Pin, string Principal);
