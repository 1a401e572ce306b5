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
    """max(0, z) written as the lecture writes it: ReLU'(z) = I[z > 0], so 0 at the kink (as torch's relu)."""
    return o.where(z > 0, z, 0 * z)


def leaky_relu(o, z):
    """max(s z, z) for slope s < 1: slope 1 for z > 0 and s for z <= 0 (the left slope at the kink)."""
    return o.where(z > 0, z, o.const(LEAKY_SLOPE) * z)


def elu(o, z, alpha=ELU_ALPHA):
    """z for z > 0, alpha (exp(z) - 1) otherwise, the form torch.nn.ELU documents."""
    # NB: the exp branch sees min(z, 0) (a second where), so a large z cannot overflow it: the unchosen
    # branch's inf would turn its zero cotangent into 0 * inf = NaN (the "double where" of JAX's FAQ).
    negative_part = o.where(z > 0, 0 * z, z)
    return o.where(z > 0, z, o.const(alpha) * (o.exp(negative_part) - 1))


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
