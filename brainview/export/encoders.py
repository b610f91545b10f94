"""Movie encoders, fed on a thread of their own so that the caller only renders.

:func:`brainview.export.movie.write_movie` hands each rendered frame to an
:class:`EncoderThread`, which starts the encoder, writes the frames and
finishes the file on its own thread: the caller (the app's GUI thread when
the app records a movie) never waits for ffmpeg to start, to read a frame or
to flush the last ones, unless :attr:`EncoderThread.max_pending` frames are
waiting (then it waits, as it waits at the end, with the ``wait`` function
it gave: the app answers its events meanwhile).

The MP4 encoder is the ffmpeg binary of the ``imageio-ffmpeg`` wheel, started
with :class:`subprocess.Popen` in a session of its own (Ctrl-C in a terminal
reaches Python, which stops ffmpeg and removes the file) and no
``preexec_fn``, so that Python starts it with ``vfork`` + ``exec``.
``imageio_ffmpeg.write_frames`` passes ``preexec_fn=os.setpgrp``, which
makes Python ``fork`` the whole process and run Python code in the child:
measured in the app with the 1 mm T1, z-map and atlas open (940 MB, 12
threads), 38-43 ms per start instead of 0.5-1.2 ms, and 0.14-0.27 s during a
movie while the render thread draws (``scripts/benchmarks/app.py``).

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "grey.gif")
>>> encoder = EncoderThread(GifEncoder(path, (4, 2), fps=25))
>>> for level in (0, 128, 255):
...     encoder.write(np.full((2, 4, 3), level, dtype=np.uint8))
>>> encoder.close()
>>> os.path.getsize(path) > 0
True
"""

from __future__ import annotations

import queue
import subprocess
import tempfile
import threading
from fractions import Fraction

import numpy as np

__all__ = ["EncoderThread", "GifEncoder", "H264_OPTIONS", "Mp4Encoder", "ffmpeg_command", "pad_to_even"]

#: Encoder settings: constant quality (crf 18 is visually lossless for these
#: scenes); "fast" keeps encoding well below rendering time.
H264_OPTIONS = ["-crf", "18", "-preset", "fast", "-movflags", "+faststart"]
#: The name of the threads that feed the encoders.
THREAD_NAME = "brainview-movie-encoder"


def ffmpeg_command(exe, path, size, fps):
    """The ffmpeg command that reads RGB frames of ``size`` on its standard input and writes H.264 to ``path``.

    Parameters
    ----------
    exe : str
        The ffmpeg binary.
    path : str or Path
    size : (int, int)
        Width and height of the frames, both even.
    fps : float
        Frames per second (passed as an exact fraction).

    Returns
    -------
    list of str

    Examples
    --------
    >>> ffmpeg_command("ffmpeg", "spin.mp4", (64, 48), 24.0)[:9]
    ['ffmpeg', '-y', '-f', 'rawvideo', '-vcodec', 'rawvideo', '-s', '64x48', '-pix_fmt']
    """
    rate = Fraction(fps).limit_denominator()
    return [str(exe), "-y", "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{size[0]:d}x{size[1]:d}",
            "-pix_fmt", "rgb24", "-r", str(rate), "-i", "-", "-an",
            "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-v", "error", *H264_OPTIONS, str(path)]


def pad_to_even(pixels, background):
    """Pad the right/bottom edge with the background colour to even width and height (H.264).

    Examples
    --------
    >>> pad_to_even(np.zeros((3, 5, 3), np.uint8), (1.0, 1.0, 1.0))[:, :, 0]
    array([[  0,   0,   0,   0,   0, 255],
           [  0,   0,   0,   0,   0, 255],
           [  0,   0,   0,   0,   0, 255],
           [255, 255, 255, 255, 255, 255]], dtype=uint8)
    """
    height, width = pixels.shape[:2]
    if height % 2 == 0 and width % 2 == 0:
        return pixels
    padded = np.empty((height + height % 2, width + width % 2, 3), dtype=np.uint8)
    padded[...] = np.round(np.asarray(background) * 255).astype(np.uint8)
    padded[:height, :width] = pixels
    return padded


class Mp4Encoder:
    """An ffmpeg process writing the frames it reads to an MP4 file.

    Parameters
    ----------
    exe : str
        The ffmpeg binary.
    path : str or Path
    size : (int, int)
        Width and height of the frames; odd sides are padded to even (H.264)
        with ``background``.
    fps : float
    background : (float, float, float)
        RGB in 0-1.

    Notes
    -----
    :meth:`start`, :meth:`write`, :meth:`finish` and :meth:`abort` are called by
    one thread; :meth:`stop` by any (it kills ffmpeg, which ends a write waiting on it).

    Examples
    --------
    See the module's example (:class:`GifEncoder` takes the same calls).
    """

    def __init__(self, exe, path, size, fps, *, background=(0.0, 0.0, 0.0)):
        self.background = tuple(background)
        self.command = ffmpeg_command(exe, path, (size[0] + size[0] % 2, size[1] + size[1] % 2), fps)
        self.process = None
        self._lock = threading.Lock()
        self._stopped = False
        self._errors = None

    def start(self):
        """Start ffmpeg (nothing when already stopped)."""
        with self._lock:
            if self._stopped:
                return
            self._errors = tempfile.TemporaryFile()  # never a pipe: ffmpeg cannot block on what it says
            # No preexec_fn: vfork + exec, never a fork of this (large, threaded) process.
            self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            stderr=self._errors, start_new_session=True)

    def write(self, pixels):
        """Send one ``(height, width, 3)`` uint8 frame."""
        if self.process is None:
            raise InterruptedError("the movie was stopped")
        try:
            self.process.stdin.write(np.ascontiguousarray(pad_to_even(pixels, self.background)).data)
        except (BrokenPipeError, ValueError):
            self.process.wait()
            raise self._failure() from None

    def finish(self):
        """Wait for ffmpeg to write the file; an ``OSError`` naming its message if it failed."""
        if self.process is None:
            raise InterruptedError("the movie was stopped")
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        if self.process.wait() != 0:
            raise self._failure()
        self._errors.close()

    def stop(self):
        """Kill ffmpeg now (from any thread): a write waiting on it ends, the file is left half-written."""
        with self._lock:
            self._stopped = True
            if self.process is not None and self.process.poll() is None:
                self.process.kill()

    def abort(self):
        """Stop ffmpeg and close its pipe and files (the thread calling :meth:`write`, after an error)."""
        self.stop()
        if self.process is not None:
            self.process.wait()
            try:
                self.process.stdin.close()
            except OSError:
                pass  # a frame was cut short: ffmpeg is gone anyway
        if self._errors is not None:
            self._errors.close()

    def _failure(self):
        if self._stopped:
            return InterruptedError("the movie was stopped")
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip().splitlines()
        return OSError(f"ffmpeg exited with status {self.process.returncode}"
                       + (f": {said[-1]}" if said else ""))


class GifEncoder:
    """Frames quantised to a palette each, written to a GIF by Pillow at :meth:`finish`.

    Parameters
    ----------
    path : str or Path
    size : (int, int)
    fps : float
        Frames per second (a whole number of 1/100 s per frame).

    Examples
    --------
    See the module's example.
    """

    def __init__(self, path, size, fps):
        self.path, self.size, self.fps = path, tuple(size), fps
        self.images = []
        self._stopped = False

    def start(self):
        """Nothing to start: Pillow writes the file at the end."""

    def write(self, pixels):
        """Quantise one ``(height, width, 3)`` uint8 frame (a palette image is a third of the RGB one)."""
        from PIL import Image

        if self._stopped:
            raise InterruptedError("the movie was stopped")
        self.images.append(Image.fromarray(pixels).convert("P", palette=Image.Palette.ADAPTIVE))

    def finish(self):
        """Write the GIF."""
        if self._stopped or not self.images:
            raise InterruptedError("the movie was stopped")
        self.images[0].save(self.path, format="GIF", save_all=True, append_images=self.images[1:],
                            duration=round(1000 / self.fps), loop=0)

    def stop(self):
        """Write nothing more (from any thread)."""
        self._stopped = True

    def abort(self):
        """Drop the frames."""
        self._stopped = True
        self.images = []


class EncoderThread:
    """Feed ``encoder`` on a thread of its own: :meth:`write` only queues the frame.

    Parameters
    ----------
    encoder : Mp4Encoder or GifEncoder
        Anything with ``start()``, ``write(pixels)``, ``finish()``, ``abort()`` (called on its
        thread after an error) and ``stop()`` (called from the caller's thread).
    wait : callable, optional
        ``wait(until)`` returns once ``until()`` is true: how the caller waits
        when :attr:`max_pending` frames are queued and at :meth:`close` (the
        app answers its events meanwhile). Default: block.
    max_pending : int
        Frames queued at most (each holds its pixels).

    Attributes
    ----------
    thread : threading.Thread
        The thread that starts, feeds and finishes the encoder.

    Examples
    --------
    See the module's example.
    """

    def __init__(self, encoder, *, wait=None, max_pending=2):
        self.encoder = encoder
        self.max_pending = int(max_pending)
        self._wait = wait
        self._frames = queue.Queue()
        self._state = threading.Condition()
        self._done, self._error = False, None
        self.thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self.thread.start()

    def write(self, pixels):
        """Queue one frame; an error of the encoder is raised here (at the first write after it)."""
        self._wait_until(lambda: self._done or self._frames.qsize() < self.max_pending)
        self._raise()
        self._frames.put(pixels)

    def close(self):
        """Wait until every frame is encoded and the file written; raise the encoder's error if any."""
        self._frames.put(None)
        self._wait_until(lambda: self._done)
        self._raise()

    def abort(self):
        """Stop the encoder and wait for its thread (the frames not encoded are dropped)."""
        self.encoder.stop()
        while True:  # the thread takes no more frames
            try:
                self._frames.get_nowait()
            except queue.Empty:
                break
        self._frames.put(None)
        self._wait_until(lambda: self._done)

    def _raise(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _wait_until(self, until):
        if until():
            return
        if self._wait is not None:
            self._wait(until)
        else:
            with self._state:
                self._state.wait_for(until)

    def _run(self):
        try:
            self.encoder.start()
            while (pixels := self._frames.get()) is not None:
                self.encoder.write(pixels)
                with self._state:
                    self._state.notify_all()  # a place in the queue
            self.encoder.finish()
        except BaseException as error:  # raised again in the caller's thread
            self._error = error
            self.encoder.abort()
        finally:
            with self._state:
                self._done = True
                self._state.notify_all()
