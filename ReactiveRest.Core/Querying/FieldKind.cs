namespace ReactiveRest.Engine.Querying;

/// <summary>The JSON-visible type of a resource field; it decides which lookups and values a filter accepts.</summary>
public enum FieldKind
{
    Integer,
    String,
    Boolean,
    Timestamp,
}
