package io.mpsec.bench;

import io.mpsec.netty.MptcpChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The C peer's program ({@code mptcp_peer.c}) written as a Netty application on MPSec's
 * {@link MptcpChannels} (Netty's epoll transport with MPTCP sockets): one event loop, a 128 KiB direct
 * buffer written while the channel is writable (write buffer water marks 256/512 KiB), 128 KiB reads on the receiving side (a fixed receive buffer allocator, the size the C peer reads),
 * the whole process's CPU time sampled every 100 ms, the same command line and output, so
 * {@link CPeer} runs and parses it like the C program.
 *
 * <pre>
 *   NettyPeer sink   ADDR PORT
 *   NettyPeer source ADDR PORT SECONDS [MIN_BYTES]
 * </pre>
 */
public final class NettyPeer {
    private NettyPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("sink") || args[0].equals("source") && args.length >= 4)) {
            System.err.println("usage: NettyPeer sink ADDR PORT | source ADDR PORT SECONDS [MIN_BYTES]");
            System.exit(2);
        }
        PrintStream out = System.out;
        io.mpsec.kernel.ffi.Syscalls.processCpuTimes();   // loads the native-call library outside any transfer
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        Samples s = new Samples();
        EventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            warmUp(group);
            if (args[0].equals("sink")) {
                sink(group, address, s, out);
            } else {
                boolean aborted = source(group, address, s, Double.parseDouble(args[3]), args.length >= 5 ? Long.parseLong(args[4]) : 0);
                out.println("INFO aborted=" + (aborted ? 1 : 0));
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        s.print(out);
        out.flush();
    }

    /**
     * A server that has been running for a while has its pipeline compiled; a fresh JVM interprets it at
     * first and cannot keep up with a C sender (which then gives up, taking it for the kernel's stall
     * mode). So before it answers READY or connects, the peer streams to itself for 1.5 s over the
     * namespace's loopback, outside any measurement.
     */
    private static void warmUp(EventLoopGroup group) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Channel listener = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new Samples(), done);
        source(group, (InetSocketAddress) listener.localAddress(), new Samples(), 1.5, 0);
        done.get(60, TimeUnit.SECONDS);
        listener.close().sync();
    }

    private static Channel listen(EventLoopGroup group, InetSocketAddress address, Samples s, CompletableFuture<Long> done)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channelFactory(MptcpChannels.serverChannelFactory())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(JavaPeer.CHUNK))
                .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel ch) {
                        ch.pipeline().addLast(new Sink(s, done));
                    }
                }).bind(address).sync().channel();
    }

    private static void sink(EventLoopGroup group, InetSocketAddress address, Samples s, PrintStream out) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Channel listener = listen(group, address, s, done);
        out.println("READY " + ((InetSocketAddress) listener.localAddress()).getPort());
        out.flush();
        done.get(10, TimeUnit.MINUTES);
        listener.close().sync();
    }

    private static boolean source(EventLoopGroup group, InetSocketAddress address, Samples s, double seconds, long minBytes)
            throws Exception {
        Source source = new Source(s, seconds, minBytes);
        Channel ch = new Bootstrap().group(group).channelFactory(MptcpChannels.socketChannelFactory())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 * JavaPeer.CHUNK, 4 * JavaPeer.CHUNK))
                .handler(source).connect(address).sync().channel();
        ch.closeFuture().await(10, TimeUnit.MINUTES);
        return source.aborted;
    }

    /** Counts what arrives until the peer half-closes, then closes. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final Samples s;
        private final CompletableFuture<Long> done;
        private long bytes;
        private long next;

        Sink(Samples s, CompletableFuture<Long> done) {
            this.s = s;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            long t = System.nanoTime();
            if (next == 0) {
                sample(t, 0);
                next = t + Samples.PERIOD_NANOS;
            }
            bytes += b.readableBytes();
            b.release();
            if (t >= next) {
                sample(t, bytes);
                next += Samples.PERIOD_NANOS;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            sample(System.nanoTime(), bytes);
            done.complete(bytes);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        private void sample(long t, long n) {
            try {
                s.addNow(t, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Writes the buffer while the channel is writable for {@code seconds}, then half-closes and waits for the peer. */
    private static final class Source extends ChannelInboundHandlerAdapter {
        private final Samples s;
        private final ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(JavaPeer.CHUNK).writeZero(JavaPeer.CHUNK));
        private final long minBytes;
        private final double seconds;
        private long start;
        private long end;
        private long check;
        private long next;
        private long bytes;
        private boolean finished;
        volatile boolean aborted;

        Source(Samples s, double seconds, long minBytes) {
            this.s = s;
            this.seconds = seconds;
            this.minBytes = minBytes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws IOException {
            ctx.channel().config().setAutoRead(false);
            start = System.nanoTime();
            end = start + (long) (seconds * 1e9);
            check = start + 600_000_000L;
            next = start + Samples.PERIOD_NANOS;
            s.addNow(start, 0);
            pump(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws IOException {
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) throws IOException {
            while (!finished && ctx.channel().isWritable()) {
                ctx.write(chunk.retainedDuplicate(), ctx.voidPromise());
                bytes += JavaPeer.CHUNK;
                long t = System.nanoTime();
                if (t >= next) {
                    s.addNow(t, bytes);
                    next += Samples.PERIOD_NANOS;
                }
                if (t >= end) {
                    finish(ctx);
                } else if (check != 0 && t >= check) {
                    if (bytes < minBytes) {
                        s.addNow(t, bytes);
                        aborted = true;
                        finish(ctx);
                    }
                    check = 0;
                }
            }
            ctx.flush();
        }

        private void finish(ChannelHandlerContext ctx) {
            finished = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                ((DuplexChannel) f.channel()).shutdownOutput();
                f.channel().config().setAutoRead(true);   // read until the peer closes
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }
}
