"""Neural-network pieces written once against the ops vocabulary: activations, cross-entropy, a tanh MLP."""
import math

# Constants as the float64 values frameworks use; o.const hands mpmath and sympy their exact decimals.
LEAKY_SLOPE = 0.1                   # LeakyReLU(z) = max(0.1 z, z), as in the course (torch's default is 0.01)
ELU_ALPHA = 1.0
# SELU's fixed point constants (Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. 14).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SWISH_BETA = 1.0                    # swish(z) = z sigma(beta z); beta = 1 is SiLU
GELU_CUBIC = 0.044715               # GELU tanh form (Hendrycks & Gimpel 2016)
GELU_SCALE = math.sqrt(2 / math.pi)  # NB: sqrt(2/pi) enters as its float64 value, for every backend alike


def sigmoid(o, z):
    return 1 / (1 + o.exp(-z))


def tanh(o, z):
    return o.tanh(z)


def relu(o, z):
    """max(0, z) = (z + |z|)/2: with d|z|/dz = sign(z), the slope at the kink is the mean 1/2."""
    # NB: o.where(z > 0, ...) would give torch's I[z > 0], but a comparison of sympy object arrays cannot
    # be evaluated, so elementwise branches are written with abs (the same form for every backend).
    return (z + o.abs(z)) / 2


def leaky_relu(o, z):
    """max(s z, z) = ((1 + s) z + (1 - s)|z|)/2 for slope s < 1."""
    s = o.const(LEAKY_SLOPE)
    return ((1 + s) * z + (1 - s) * o.abs(z)) / 2


def elu(o, z, alpha=ELU_ALPHA):
    """max(0, z) + alpha (exp(min(0, z)) - 1), the form torch.nn.ELU documents."""
    return (z + o.abs(z)) / 2 + o.const(alpha) * (o.exp((z - o.abs(z)) / 2) - 1)


def selu(o, z):
    return o.const(SELU_SCALE) * elu(o, z, SELU_ALPHA)


def swish(o, z):
    return z * sigmoid(o, o.const(SWISH_BETA) * z)


def gelu(o, z):
    return z / 2 * (1 + o.tanh(o.const(GELU_SCALE) * (z + o.const(GELU_CUBIC) * z ** 3)))


def softmax(o, z):
    """exp(z) / sum exp(z), as the lecture writes it (no shift: fine for moderate z)."""
    e = o.exp(z)
    return e / o.sum(e)


def cross_entropy_naive(o, a, onehot):
    """-a_y + log sum_j exp(a_j): exp overflows float64 once a logit passes ~709.78."""
    return -o.dot(onehot, a) + o.log(o.sum(o.exp(a)))


def cross_entropy_stable(o, a, onehot):
    """-a_y + max a + log sum_j exp(a_j - max a): the max-shifted form the lecture recommends."""
    m = o.amax(a)
    return -o.dot(onehot, a) + m + o.log(o.sum(o.exp(a - m)))


def tanh_mlp(o, X, W1, b1, W2, b2):
    """Two layers on a batch (rows of X): tanh(X W1 + b1) W2 + b2, the last layer linear."""
    hidden = o.tanh(o.matmul(X, W1) + b1)
    return o.matmul(hidden, W2) + b2


def mean_squared_error(o, predictions, targets):
    residual = predictions - targets
    return o.sum(residual * residual) / math.prod(o.shape(residual))
