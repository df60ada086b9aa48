package io.tandem.server.session;

import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.core.util.Ascii;
import io.tandem.server.net.ClientConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * TANDEM.MEMBERS: who the replica set's members are, and changes to them, one at a time.
 *
 * <pre>
 * TANDEM.MEMBERS [LIST]                       every member: id, peer address, voter|nonvoting
 * TANDEM.MEMBERS ADD id host:peerport [NONVOTING]
 * TANDEM.MEMBERS REMOVE id
 * TANDEM.MEMBERS PROMOTE id | DEMOTE id       a member starts or stops voting
 * </pre>
 *
 * Changes go to the core (they are log entries, answered +OK once committed); bad arguments are
 * answered here, naming what is wrong, and change nothing.
 */
final class MembersCommand {
    private MembersCommand() {}

    /**
     * The core input for a change, or null when the reply was given here (LIST, or bad arguments).
     * Runs on the node's thread.
     */
    static Input parse(ClientConnection conn, byte[][] args, ReplicaSetNode node) {
        String sub = args.length == 1 ? "list" : Ascii.string(args[1]).toLowerCase(java.util.Locale.ROOT);
        Membership.Change change;
        try {
            change = switch (sub) {
                case "list" -> {
                    expectArgs(args, 1, 2, "TANDEM.MEMBERS [LIST]");
                    conn.reply(list(node));
                    yield null;
                }
                case "add" -> {
                    expectArgs(args, 4, 5, "TANDEM.MEMBERS ADD id host:peerport [NONVOTING]");
                    boolean voting = true;
                    if (args.length == 5) {
                        if (!Ascii.string(args[4]).equalsIgnoreCase("nonvoting")) {
                            throw new IllegalArgumentException("expected NONVOTING after the address, got '"
                                    + Ascii.string(args[4]) + "'");
                        }
                        voting = false;
                    }
                    NodeId id = NodeId.of(Ascii.string(args[2]));
                    String address = Ascii.string(args[3]);
                    if (address.isEmpty()) {
                        throw new IllegalArgumentException("the peer address of " + id + " is empty: give host:port");
                    }
                    yield new Membership.Change.Add(new Membership.Seat(id, voting, address));
                }
                case "remove" -> {
                    expectArgs(args, 3, 3, "TANDEM.MEMBERS REMOVE id");
                    yield new Membership.Change.Remove(NodeId.of(Ascii.string(args[2])));
                }
                case "promote", "demote" -> {
                    expectArgs(args, 3, 3, "TANDEM.MEMBERS " + sub.toUpperCase(java.util.Locale.ROOT) + " id");
                    yield new Membership.Change.SetVoting(NodeId.of(Ascii.string(args[2])), sub.equals("promote"));
                }
                default -> throw new IllegalArgumentException("unknown subcommand '" + Ascii.string(args[1])
                        + "'; use LIST, ADD, REMOVE, PROMOTE or DEMOTE");
            };
        } catch (IllegalArgumentException e) {
            conn.reply(Reply.error("ERR " + e.getMessage()));
            return null;
        }
        return change == null ? null : new Input.ChangeMembers(conn, conn.id, change);
    }

    private static void expectArgs(byte[][] args, int min, int max, String usage) {
        if (args.length < min || args.length > max) {
            throw new IllegalArgumentException("wrong number of arguments: " + usage);
        }
    }

    /** One array per member, by id: id, peer address, "voter" or "nonvoting" (the membership in force here). */
    private static Reply list(ReplicaSetNode node) {
        List<Reply> rows = new ArrayList<>();
        for (Membership.Seat seat : node.membership().seats()) {
            rows.add(new Reply.Array(List.of(Reply.bulk(seat.id().name()), Reply.bulk(seat.peerAddress()),
                    Reply.bulk(seat.voting() ? "voter" : "nonvoting"))));
        }
        return new Reply.Array(rows);
    }
}
