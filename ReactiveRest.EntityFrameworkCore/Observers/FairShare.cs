namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Shares a fixed number of slots between users: a user may hold at most max(1, slots ÷ users active) at once (users
/// active: holding a slot or waiting for one), and a freed slot goes to the waiting users in turn (round-robin, each
/// user's waiters first come first served). So one user with many heavy queries gets as much as any other user once
/// others are waiting, and all of it when nobody else is. Slots already held are never taken back. Pure and
/// thread-safe; the caller runs the work and wakes the waiters admitted.
/// </summary>
public sealed class FairShare<TUser, TWaiter> where TUser : notnull
{
    private readonly Dictionary<TUser, User> _users = [];

    /// <summary>Users with waiters, in the order they are served; the first is served next.</summary>
    private readonly LinkedList<TUser> _turns = [];
    private int _held;

    public FairShare(int slots) => Slots = slots > 0 ? slots : throw new ArgumentOutOfRangeException(nameof(slots));

    public int Slots { get; }

    /// <summary>Asks for a slot. True when the user holds it now; false when the waiter waits (it is returned by a later <see cref="Leave"/> or <see cref="Withdraw"/>).</summary>
    public bool Enter(TUser user, TWaiter waiter)
    {
        lock (_users)
        {
            var state = Get(user);
            if (state.Waiting.Count == 0 && _held < Slots && state.Held < Share())
            {
                state.Held++;
                _held++;
                return true;
            }

            if (state.Waiting.Count == 0)
            {
                _turns.AddLast(user);
            }

            state.Waiting.Enqueue(waiter);
            return false;
        }
    }

    /// <summary>The user gives back a slot. The waiters that hold a slot now, in the order they were admitted.</summary>
    public IReadOnlyList<TWaiter> Leave(TUser user)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(user, out var state) || state.Held == 0)
            {
                throw new InvalidOperationException("The user holds no slot.");
            }

            state.Held--;
            _held--;
            Forget(user, state);
            return Admit();
        }
    }

    /// <summary>
    /// A waiter gives up. True when it was still waiting (it holds nothing); false when it was admitted already (its user
    /// must <see cref="Leave"/>). <paramref name="admitted"/>: waiters its departure let in.
    /// </summary>
    public bool Withdraw(TUser user, TWaiter waiter, out IReadOnlyList<TWaiter> admitted)
    {
        lock (_users)
        {
            admitted = [];
            if (!_users.TryGetValue(user, out var state) || !state.Waiting.Contains(waiter))
            {
                return false;
            }

            state.Waiting = new Queue<TWaiter>(state.Waiting.Where(other => !EqualityComparer<TWaiter>.Default.Equals(other, waiter)));
            if (state.Waiting.Count == 0)
            {
                _turns.Remove(user);
            }

            Forget(user, state);
            admitted = Admit();
            return true;
        }
    }

    /// <summary>Slots held now.</summary>
    public int Held
    {
        get
        {
            lock (_users)
            {
                return _held;
            }
        }
    }

    /// <summary>Slots the user holds now.</summary>
    public int HeldBy(TUser user)
    {
        lock (_users)
        {
            return _users.TryGetValue(user, out var state) ? state.Held : 0;
        }
    }

    /// <summary>Waiters of every user.</summary>
    public int Waiting
    {
        get
        {
            lock (_users)
            {
                return _users.Values.Sum(state => state.Waiting.Count);
            }
        }
    }

    private int Share() => Math.Max(1, Slots / Math.Max(1, _users.Count));

    private User Get(TUser user)
    {
        if (!_users.TryGetValue(user, out var state))
        {
            state = new User();
            _users[user] = state;
        }

        return state;
    }

    private void Forget(TUser user, User state)
    {
        if (state.Held == 0 && state.Waiting.Count == 0)
        {
            _users.Remove(user);
        }
    }

    /// <summary>Gives free slots to waiting users in turn; a user at its share is skipped (it keeps its turn).</summary>
    private List<TWaiter> Admit()
    {
        var admitted = new List<TWaiter>();
        var skipped = 0;
        while (_held < Slots && _turns.Count > skipped)
        {
            var turn = _turns.First!;
            _turns.RemoveFirst();
            var state = _users[turn.Value];
            if (state.Held >= Share())
            {
                _turns.AddLast(turn);
                skipped++;
                continue;
            }

            admitted.Add(state.Waiting.Dequeue());
            state.Held++;
            _held++;
            skipped = 0;
            if (state.Waiting.Count > 0)
            {
                _turns.AddLast(turn);
            }
        }

        return admitted;
    }

    private sealed class User
    {
        public int Held { get; set; }

        public Queue<TWaiter> Waiting { get; set; } = new();
    }
}
