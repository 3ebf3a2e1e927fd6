namespace ReactiveRest.Engine.Querying;

/// <summary>The JSON-visible type of a resource field; it decides which lookups and values a filter accepts.</summary>
public enum FieldKind
{
    /// <summary>A 32- or 64-bit integer (<see cref="ResourceField.ValueType"/> tells which): a JSON number.</summary>
    Integer,
    String,
    Boolean,
    Timestamp,

    /// <summary>A <see cref="System.Guid"/>: a JSON string in the "D" format; filtered by equality only.</summary>
    Uuid,
}
