package io.tandem.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who belongs to a replica set: one seat per member, with whether it votes and the address its peers reach
 * it at. Logged whole (never as a delta) in a {@link Effect.Reconfigure} entry when an operator adds or
 * removes a member (TANDEM.MEMBERS), carried in snapshots, and used by every node as soon as the entry is in
 * its log, committed or not (Raft's single-server membership changes). The core does not read addresses:
 * the runtime connects to them.
 *
 * <p>Text form, as logged and shown: seats sorted by id, comma-separated, each {@code id=address}, with
 * {@code /nonvoting} after the address of a member that does not vote. For example
 * {@code n1=127.0.0.1:7101,n2=127.0.0.1:7102,n4=127.0.0.1:7104/nonvoting}. An address may be empty (a
 * member whose own address is not known yet, in the membership a node starts from).
 */
public record Membership(List<Seat> seats) {
    /** Most members in one replica set (every change logs them all; the quorum arithmetic is linear). */
    public static final int MAX_SEATS = 64;
    /** Longest address accepted: a host name of 253 characters, a colon and a port. */
    public static final int MAX_ADDRESS_CHARS = 260;
    private static final String NON_VOTING = "/nonvoting";

    /** One member: its id, whether it votes, and where its peers reach it ("host:port", or empty). */
    public record Seat(NodeId id, boolean voting, String peerAddress) {
        public Seat {
            Objects.requireNonNull(id, "id");
            String problem = addressProblem(peerAddress);
            if (problem != null) {
                throw new IllegalArgumentException("peer address of " + id + " " + problem);
            }
        }
    }

    /** A change an operator asks for: one member at a time (TANDEM.MEMBERS). */
    public sealed interface Change {
        /** Adds a member that is not one yet. */
        record Add(Seat seat) implements Change {}

        /** Removes a member. */
        record Remove(NodeId id) implements Change {}

        /** Makes a member vote, or stop voting (add a large member non-voting, let it catch up, then promote it). */
        record SetVoting(NodeId id, boolean voting) implements Change {}
    }

    public Membership {
        Objects.requireNonNull(seats, "seats");
        if (seats.size() > MAX_SEATS) {
            throw new IllegalArgumentException("a replica set has at most " + MAX_SEATS + " members, got "
                    + seats.size());
        }
        List<Seat> sorted = new ArrayList<>(seats);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("member " + sorted.get(i).id() + " appears twice");
            }
        }
        seats = List.copyOf(sorted);
    }

    public static Membership of(Seat... seats) {
        return new Membership(List.of(seats));
    }

    /** The seat of {@code id}, or null when it is not a member. */
    public Seat seat(NodeId id) {
        for (Seat seat : seats) {
            if (seat.id().equals(id)) {
                return seat;
            }
        }
        return null;
    }

    public boolean contains(NodeId id) {
        return seat(id) != null;
    }

    public int voters() {
        int voters = 0;
        for (Seat seat : seats) {
            if (seat.voting()) {
                voters++;
            }
        }
        return voters;
    }

    /**
     * The membership after {@code change}, or an {@link IllegalArgumentException} saying why it cannot be
     * made (the member is already one, is not one, or would leave no voter).
     */
    public Membership apply(Change change) {
        List<Seat> next = new ArrayList<>(seats);
        switch (change) {
            case Change.Add add -> {
                if (contains(add.seat().id())) {
                    throw new IllegalArgumentException(add.seat().id() + " is already a member");
                }
                if (seats.size() == MAX_SEATS) {
                    throw new IllegalArgumentException("the replica set already has the most members allowed, "
                            + MAX_SEATS);
                }
                next.add(add.seat());
            }
            case Change.Remove remove -> {
                if (!next.removeIf(seat -> seat.id().equals(remove.id()))) {
                    throw new IllegalArgumentException(remove.id() + " is not a member");
                }
            }
            case Change.SetVoting voting -> {
                Seat seat = seat(voting.id());
                if (seat == null) {
                    throw new IllegalArgumentException(voting.id() + " is not a member");
                }
                if (seat.voting() == voting.voting()) {
                    throw new IllegalArgumentException(voting.id() + (voting.voting() ? " already votes"
                            : " already does not vote"));
                }
                next.set(next.indexOf(seat), new Seat(seat.id(), voting.voting(), seat.peerAddress()));
            }
        }
        Membership result = new Membership(next);
        if (result.voters() == 0) {
            throw new IllegalArgumentException("the change would leave no member that votes");
        }
        return result;
    }

    /** The same members with {@code id}'s address set, if it is a member whose address is not known. */
    public Membership withAddressIfUnknown(NodeId id, String peerAddress) {
        Seat seat = seat(id);
        if (seat == null || !seat.peerAddress().isEmpty()) {
            return this;
        }
        List<Seat> next = new ArrayList<>(seats);
        next.set(next.indexOf(seat), new Seat(id, seat.voting(), peerAddress));
        return new Membership(next);
    }

    /** The text form (see the class comment): what is logged, put in snapshots and shown. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        for (Seat seat : seats) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(seat.id()).append('=').append(seat.peerAddress());
            if (!seat.voting()) {
                text.append(NON_VOTING);
            }
        }
        return text.toString();
    }

    /** Parses the text form; an {@link IllegalArgumentException} names what is wrong. */
    public static Membership parse(String text) {
        Objects.requireNonNull(text, "membership text");
        if (text.length() > MAX_SEATS * (NodeId.MAX_NAME_CHARS + MAX_ADDRESS_CHARS + NON_VOTING.length() + 2)) {
            throw new IllegalArgumentException("membership text of " + text.length() + " characters is too long");
        }
        List<Seat> seats = new ArrayList<>();
        if (text.isEmpty()) {
            return new Membership(seats);
        }
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("membership seat '" + part + "' is not id=address");
            }
            String address = part.substring(equals + 1);
            boolean voting = !address.endsWith(NON_VOTING);
            if (!voting) {
                address = address.substring(0, address.length() - NON_VOTING.length());
            }
            seats.add(new Seat(NodeId.of(part.substring(0, equals)), voting, address));
        }
        return new Membership(seats);
    }

    /**
     * What is wrong with a peer address ("host:port" with a port of 1..65535, or empty), or null. Hosts are
     * names or IP literals (IPv6 in brackets): letters, digits, '.', '-', '_', ':', '[' and ']'.
     */
    public static String addressProblem(String address) {
        if (address == null) {
            return "is missing";
        }
        if (address.isEmpty()) {
            return null;
        }
        if (address.length() > MAX_ADDRESS_CHARS) {
            return "is " + address.length() + " characters long, at most " + MAX_ADDRESS_CHARS + " are allowed";
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
            if (!allowed) {
                return "'" + address + "' has the character '" + c + "', not allowed in host:port";
            }
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return "'" + address + "' is not host:port";
        }
        String port = address.substring(colon + 1);
        if (port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return "'" + address + "' has no port number after its last ':'";
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            return "'" + address + "' has port " + number + ", outside 1..65535";
        }
        return null;
    }

    @Override
    public String toString() {
        return encode();
    }
}
